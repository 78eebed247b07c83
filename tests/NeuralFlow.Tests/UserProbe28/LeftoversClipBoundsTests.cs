namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// NF.HardTanh of uint8 threw an OverflowException naming "Maximum" (the -1 of its inner clip), and NF.Clip and
/// NF.ClipByValue named Maximum or Minimum for a bound that does not fit an integer tensor. Now HardTanh refuses
/// uint8 with an ArgumentException naming HardTanh and the dtype, as torch.nn.functional.hardtanh refuses an
/// unsigned type, and clips signed integers to -1, 0, 1 as torch does; the Clip bounds are named by the op called
/// (torch.clamp refuses 300 for uint8 too). Values from leftovers_references.py.
/// </summary>
public abstract class LeftoversClipBoundsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void HardTanh_clips_signed_integers_and_refuses_uint8_by_name()
    {
        RequireBackend();
        // torch.nn.functional.hardtanh(torch.tensor([-100, -1, 0, 1, 100], dtype=torch.int32)).
        var i32 = NF.HardTanh(NF.Constant(new[] { -100, -1, 0, 1, 100 }));
        Assert.Equal(DType.Int32, i32.DType);
        Assert.Equal([-1, -1, 0, 1, 1], i32.ToArray<int>());
        Assert.Equal([-1L, -1, 0, 1, 1], NF.HardTanh(NF.Constant(new long[] { -100, -1, 0, 1, 100 })).ToArray<long>());

        // torch: "cannot do hardtanh on an unsigned type with negative limits".
        var e = Assert.Throws<ArgumentException>(() => NF.HardTanh(NF.Constant(new byte[] { 0, 1, 5, 255 })));
        Assert.Contains("HardTanh", e.Message);
        Assert.Contains("uint8", e.Message);
        Assert.DoesNotContain("Maximum", e.Message);
        Assert.Equal("x", e.ParamName);
    }

    [SkippableFact]
    public void Clip_bounds_that_do_not_fit_the_dtype_are_named_by_the_op()
    {
        RequireBackend();
        var bytes = NF.Constant(new byte[] { 0, 1, 5, 255 });
        var clip = Assert.Throws<OverflowException>(() => NF.Clip(bytes, -1, 200));
        Assert.StartsWith("Clip: the value -1 does not fit uint8", clip.Message);
        var byValue = Assert.Throws<OverflowException>(() => NF.ClipByValue(bytes, 0, 300));
        Assert.StartsWith("ClipByValue: the value 300 does not fit uint8", byValue.Message);

        // Bounds inside the range clip as torch.clamp(uint8, 2, 200) does: [2, 2, 5, 200].
        Assert.Equal(new byte[] { 2, 2, 5, 200 }, NF.Clip(bytes, 2, 200).ToArray<byte>());
        Assert.Equal(new byte[] { 2, 2, 5, 200 }, NF.ClipByValue(bytes, 2, 200).ToArray<byte>());
        // A float tensor takes any number, as before.
        Assert.Equal([-1f, 0.5f, 1f], NF.Clip(NF.Constant(new[] { -3f, 0.5f, 3f }), -1, 1).ToArray<float>());
    }
}

/// <summary>Clip bounds on the managed backend.</summary>
public sealed class ManagedLeftoversClipBoundsTests() : LeftoversClipBoundsTests("managed");

/// <summary>Clip bounds on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversClipBoundsTests() : LeftoversClipBoundsTests("cpu");

/// <summary>Clip bounds on CUDA.</summary>
public sealed class CudaLeftoversClipBoundsTests() : LeftoversClipBoundsTests("cuda");
