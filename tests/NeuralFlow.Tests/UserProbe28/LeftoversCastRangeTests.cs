namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// What NF.Cast does with floats outside an integer dtype's range, pinned on every engine so that they keep
/// agreeing: truncation toward zero, saturation at the dtype's limits, NaN to 0 (NF.Cast's XML doc). NumPy and
/// PyTorch give INT_MIN for all of 1e10, -1e10 and NaN into int32 (leftovers_references.py), TensorFlow leaves it
/// implementation-defined; saturating is the one answer every engine here gives alike.
/// </summary>
public abstract class LeftoversCastRangeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Floats_out_of_range_saturate_and_NaN_is_zero()
    {
        RequireBackend();
        float[] f32 = [1e10f, -1e10f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 2.7f, -2.7f, 2147483520f];
        Assert.Equal([int.MaxValue, int.MinValue, 0, int.MaxValue, int.MinValue, 2, -2, 2147483520], NF.Cast(NF.Constant(f32), DType.Int32).ToArray<int>());
        Assert.Equal([10000000000L, -10000000000L, 0, long.MaxValue, long.MinValue, 2, -2, 2147483520L], NF.Cast(NF.Constant(f32), DType.Int64).ToArray<long>());

        float[] bytes = [-1f, 256f, 300f, float.NaN, 255.9f, -0.5f, 1e10f, float.NegativeInfinity];
        Assert.Equal(new byte[] { 0, 255, 255, 0, 255, 0, 255, 0 }, NF.Cast(NF.Constant(bytes), DType.UInt8).ToArray<byte>());

        double[] f64 = [1e30, -1e30, double.NaN, 9.3e18, -9.3e18, 4294967296.5];
        Assert.Equal([long.MaxValue, long.MinValue, 0, long.MaxValue, long.MinValue, 4294967296L], NF.Cast(NF.Constant(f64), DType.Int64).ToArray<long>());
        Assert.Equal([int.MaxValue, int.MinValue, 0, int.MaxValue, int.MinValue, int.MaxValue], NF.Cast(NF.Constant(f64), DType.Int32).ToArray<int>());

        var half = NF.Cast(NF.Constant(new[] { float.NaN, float.PositiveInfinity, -70000f, 65504f }), DType.Float16);
        Assert.Equal([0, int.MaxValue, int.MinValue, 65504], NF.Cast(half, DType.Int32).ToArray<int>());
        Assert.Equal(new byte[] { 0, 255, 0, 255 }, NF.Cast(half, DType.UInt8).ToArray<byte>());

        // Integers into a narrower integer wrap, as NumPy's astype does; SaturateCast clamps them instead.
        var ints = NF.Constant(new[] { -1, 256, 300 });
        Assert.Equal(new byte[] { 255, 0, 44 }, NF.Cast(ints, DType.UInt8).ToArray<byte>());
        Assert.Equal(new byte[] { 0, 255, 255 }, NF.SaturateCast(ints, DType.UInt8).ToArray<byte>());
    }
}

/// <summary>Out-of-range casts on the managed backend.</summary>
public sealed class ManagedLeftoversCastRangeTests() : LeftoversCastRangeTests("managed");

/// <summary>Out-of-range casts on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversCastRangeTests() : LeftoversCastRangeTests("cpu");

/// <summary>Out-of-range casts on CUDA.</summary>
public sealed class CudaLeftoversCastRangeTests() : LeftoversCastRangeTests("cuda");
