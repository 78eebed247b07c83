using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// TextVectorization's ngramWidths holding int.MaxValue: a width longer than a text makes no n-grams of that
/// width (tf.strings.ngrams' rule), so it costs nothing and neither overflows nor allocates by the width; the
/// other widths work as without it. (ngrams = int.MaxValue is TrustSweep4TextVectorizationTests'.)
/// </summary>
public abstract class LeftoversNgramWidthsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_width_of_int_MaxValue_makes_no_ngrams()
    {
        RequireBackend();
        string[] texts = ["a b c", "b c", ""];
        var huge = new Layers.TextVectorization(ngramWidths: [1, int.MaxValue, 2]);
        huge.Adapt(texts);
        var plain = new Layers.TextVectorization(ngramWidths: [1, 2]);
        plain.Adapt(texts);
        Assert.Equal(plain.GetVocabulary(), huge.GetVocabulary());
        Assert.Equal(plain.Call(texts).ToArray<long>(), huge.Call(texts).ToArray<long>());
        Assert.Equal([1, int.MaxValue, 2], huge.NgramWidths);

        // Only the huge width: no token at all, every text an empty row (padded to 0).
        var only = new Layers.TextVectorization(ngramWidths: [int.MaxValue], vocabulary: ["a"]);
        var ids = only.Call(texts);
        Assert.Equal(0, ids.Shape[1]);
        Assert.Equal(3, ids.Shape[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.TextVectorization(ngramWidths: [1, int.MinValue]));
    }
}

/// <summary>Huge n-gram widths on the managed backend.</summary>
public sealed class ManagedLeftoversNgramWidthsTests() : LeftoversNgramWidthsTests("managed");

/// <summary>Huge n-gram widths on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversNgramWidthsTests() : LeftoversNgramWidthsTests("cpu");

/// <summary>Huge n-gram widths on CUDA (the ids land on the device).</summary>
public sealed class CudaLeftoversNgramWidthsTests() : LeftoversNgramWidthsTests("cuda");
