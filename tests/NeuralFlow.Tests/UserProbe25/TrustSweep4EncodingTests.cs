using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of the layers that read integer tokens (CategoryEncoding, IntegerLookup,
/// Hashing, StringLookup's inverse): num_tokens = int.MaxValue wrapped int arithmetic (an
/// OverflowException from the runtime) or asked the allocator for 34 GB, and a NaN id silently became
/// token 0 (one engine's cast; another's gives long.MinValue), before.
/// </summary>
public abstract class TrustSweep4EncodingTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void CategoryEncoding_refuses_an_encoding_past_one_tensor_before_allocating()
    {
        RequireBackend();
        var column = NF.Constant(new[] { 0, 1, 2, 3 }, [4, 1]);
        var counts = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CategoryEncoding(int.MaxValue, name: "wide").Call(column));
        Assert.Equal("inputs", counts.ParamName);
        Assert.Contains("wide: output_mode 'multi_hot' over 2147483647 slots makes 4 x 2147483647 values", counts.Message);
        var oneHot = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CategoryEncoding(int.MaxValue, outputMode: "one_hot").Call(NF.Constant(new[] { 0, 1, 2, 3 })));
        Assert.Contains("'one_hot'", oneHot.Message);
        // The same depth through Hashing's and Discretization's encodings.
        Assert.Contains("more than one tensor holds", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Hashing(int.MaxValue, outputMode: "count").Call(new[,] { { "a" }, { "b" } })).Message);
        // One sample of a million slots still fits.
        var wide = new Layers.CategoryEncoding(1 << 20, outputMode: "count").Call(NF.Constant(new[] { 5, 5, 9 }));
        Assert.Equal(new Shape(1 << 20), wide.Shape);
        Assert.Equal(3f, NF.ReduceSum(wide).Item<float>());
    }

    [SkippableFact]
    public void Float_ids_without_an_integer_are_refused_by_every_integer_layer()
    {
        RequireBackend();
        var nan = NF.Constant(new[] { float.NaN, 1f });
        var encoding = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CategoryEncoding(3, name: "enc").Call(nan));
        Assert.Equal("inputs", encoding.ParamName);
        Assert.Contains("enc: expects integer inputs; 1 of the 2 values", encoding.Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.CategoryEncoding(3).Call(NF.Constant(new[] { float.PositiveInfinity }))).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.IntegerLookup(vocabulary: [1, 2]).Call(nan)).Message);
        Assert.Contains("int64 range", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.IntegerLookup(vocabulary: [1, 2]).Call(NF.Constant(new[] { 1e20f }))).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Hashing(3).Call(NF.Constant(new[] { double.NaN }))).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.StringLookup(vocabulary: ["a"], invert: true).CallInverted(nan)).Message);
        // Finite floats are still truncated to their tokens, as Keras casts them.
        Assert.Equal(new[] { 1f, 0f, 1f }, new Layers.CategoryEncoding(3).Call(NF.Constant(new[] { 0.5f, 2.9f })).ToArray<float>());
        Assert.Equal(new[] { 1L, 2L, 0L }, new Layers.IntegerLookup(vocabulary: [1, 2]).Call(NF.Constant(new[] { 1.7, 2.2, -9.5 })).ToArray<long>());
    }
}

/// <summary>The integer-token sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4EncodingTests() : TrustSweep4EncodingTests("managed");

/// <summary>The integer-token sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4EncodingTests() : TrustSweep4EncodingTests("cpu");

/// <summary>The integer-token sweep on CUDA.</summary>
public sealed class CudaTrustSweep4EncodingTests() : TrustSweep4EncodingTests("cuda");
