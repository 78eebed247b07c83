namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// <c>NF.Range</c> of doubles gives float32, as <c>tf.range(0.5, 2.0)</c> and <c>torch.arange(0.5, 2.0)</c> do for
/// Python floats (it gave float64 before); <c>dtype: DType.Float64</c> keeps float64. The count is
/// ceil((limit - start) / delta). Values from tensors_references.py (torch.arange).
/// </summary>
public abstract class TensorsRangeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_range_of_doubles_is_float32_by_default()
    {
        RequireBackend();
        var r = NF.Range(0.5, 2.0);
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal([0.5f, 1.5f], r.ToArray<float>());
        Assert.Equal([1.0f, 1.3f, 1.6f, 1.9f], NF.Range(1.0, 2.0, 0.3).ToArray<float>());
        Assert.Equal([2.0f, 1.5f, 1.0f], NF.Range(2.0, 0.5, -0.5).ToArray<float>());
        Assert.Equal(10, NF.Range(0.0, 1.0, 0.1).Shape[0]);
        Assert.Equal(0, NF.Range(1.0, 0.0).Shape[0]);   // an empty range, as tf.range(1.0, 0.0)
        // A mix of an int and a double is a range of doubles: float32 too.
        Assert.Equal(DType.Float32, NF.Range(0, 2.5).DType);
    }

    [SkippableFact]
    public void Float64_and_float16_ranges_are_asked_for_by_dtype()
    {
        RequireBackend();
        var r = NF.Range(0.0, 1.0, 0.1, DType.Float64);
        Assert.Equal(DType.Float64, r.DType);
        // start + i * delta in double: 0.30000000000000004 as torch.arange(..., dtype=torch.float64) gives.
        Assert.Equal([0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9], r.ToArray<double>());
        var half = NF.Range(0.0, 2.0, 0.5, DType.Float16);
        Assert.Equal(DType.Float16, half.DType);
        Assert.Equal([0.0, 0.5, 1.0, 1.5], NF.Cast(half, DType.Float64).ToArray<double>());

        var e = Assert.Throws<ArgumentException>(() => NF.Range(0.0, 3.0, 1.0, DType.Int32));
        Assert.Contains("NF.Range(int, int, int)", e.Message);
        Assert.Throws<ArgumentException>(() => NF.Range(0.0, 1.0, 0.0));
    }
}

/// <summary>Float ranges on the managed backend.</summary>
public sealed class ManagedTensorsRangeTests() : TensorsRangeTests("managed");

/// <summary>Float ranges on the native CPU backend.</summary>
public sealed class NativeCpuTensorsRangeTests() : TensorsRangeTests("cpu");

/// <summary>Float ranges on CUDA.</summary>
public sealed class CudaTensorsRangeTests() : TensorsRangeTests("cuda");
