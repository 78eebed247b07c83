using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of IntegerLookup and StringLookup's max_tokens: a max_tokens below the mask
/// and OOV indices was taken, so the vocabulary outgrew max_tokens and a padded encoding of max_tokens
/// slots silently dropped the last OOV indices (three unknown tokens counted as two), before.
/// </summary>
public abstract class TrustSweep4LookupTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Max_tokens_below_the_mask_and_oov_indices_is_refused()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.IntegerLookup(maxTokens: 2, numOovIndices: 3, padToMaxTokens: true, outputMode: "multi_hot"));
        Assert.Equal("maxTokens", e.ParamName);
        Assert.Contains("max_tokens=2 is smaller than the 3 indices the mask and OOV tokens take (num_oov_indices=3)", e.Message);
        Assert.Contains("mask_token", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.IntegerLookup(maxTokens: 2, numOovIndices: 2, maskToken: 0)).Message);
        Assert.Equal("maxTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.StringLookup(maxTokens: 3, numOovIndices: 3, maskToken: "")).ParamName);
        // The mask takes no slot outside "int" mode, and max_tokens equal to the special indices is an empty vocabulary.
        Assert.Equal(2, new Layers.IntegerLookup(maxTokens: 2, numOovIndices: 2, maskToken: 0, outputMode: "multi_hot").VocabularySize());
        var full = new Layers.IntegerLookup(maxTokens: 3, numOovIndices: 2, maskToken: 0);
        full.Adapt(NF.Constant(new long[] { 5, 6 }));
        Assert.Equal(new long[] { 0, -1, -1 }, full.GetVocabulary());
        // TextVectorization's own lookup (mask "" and one OOV index) still takes max_tokens = 2.
        Assert.Equal(2, new Layers.TextVectorization(maxTokens: 2).VocabularySize());
    }
}

/// <summary>The lookup sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4LookupTests() : TrustSweep4LookupTests("managed");

/// <summary>The lookup sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4LookupTests() : TrustSweep4LookupTests("cpu");

/// <summary>The lookup sweep on CUDA.</summary>
public sealed class CudaTrustSweep4LookupTests() : TrustSweep4LookupTests("cuda");
