using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of TextVectorization's sizes: output_sequence_length = int.MaxValue wrapped the
/// padded grid's int size (an OverflowException, or with 8 texts of 2^29 an IndexOutOfRangeException), and
/// ngrams = int.MaxValue listed two billion widths (an OutOfMemoryException) for three words, before.
/// </summary>
public abstract class TrustSweep4TextVectorizationTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_huge_output_sequence_length_is_refused_before_the_grid_is_allocated()
    {
        RequireBackend();
        var two = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Layers.TextVectorization(outputSequenceLength: int.MaxValue, vocabulary: ["a"], name: "vec").Call(["a", "b"]));
        Assert.Equal("outputSequenceLength", two.ParamName);
        Assert.Contains("vec: 2 texts padded to 2147483647 tokens", two.Message);
        // 8 x 2^29 is exactly 2^32: the int size wrapped to 0.
        var texts = Enumerable.Repeat("a", 8).ToArray();
        Assert.Contains("4294967296 indices", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Layers.TextVectorization(outputSequenceLength: 1 << 29, vocabulary: ["a"]).Call(texts)).Message);
    }

    [SkippableFact]
    public void A_huge_ngrams_costs_what_the_texts_do()
    {
        RequireBackend();
        var layer = new Layers.TextVectorization(ngrams: int.MaxValue);
        layer.Adapt(["a b c"]);
        // Every n-gram of the text, widths 1 to 3: as ngrams = 3 gives.
        var three = new Layers.TextVectorization(ngrams: 3);
        three.Adapt(["a b c"]);
        Assert.Equal(three.GetVocabulary(), layer.GetVocabulary());
        Assert.Equal(three.Call(["a b c", "", "c"]).ToArray<long>(), layer.Call(["a b c", "", "c"]).ToArray<long>());
        Assert.Equal(int.MaxValue, layer.GetConfig()["ngrams"]!.GetValue<int>());
    }
}

/// <summary>The TextVectorization sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4TextVectorizationTests() : TrustSweep4TextVectorizationTests("managed");

/// <summary>The TextVectorization sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4TextVectorizationTests() : TrustSweep4TextVectorizationTests("cpu");

/// <summary>The TextVectorization sweep on CUDA.</summary>
public sealed class CudaTrustSweep4TextVectorizationTests() : TrustSweep4TextVectorizationTests("cuda");
