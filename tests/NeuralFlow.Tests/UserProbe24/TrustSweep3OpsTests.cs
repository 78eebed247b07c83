namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// The hostile-input sweep of the ops added in the last sessions (signal, STFT, sorted segments,
/// Repeat, Unfold): each case crashed with a .NET runtime error, hung, or gave the wrong dtype before.
/// </summary>
public abstract class TrustSweep3OpsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void OverlapAndAdd_of_zero_length_frames_gives_the_zeros_between_them()
    {
        RequireBackend();
        // tf.signal.overlap_and_add: output length (frames - 1) * frame_step + frame_length; with
        // empty frames that is (3 - 1) * 2 zeros (a NullReferenceException before).
        var result = NF.Signal.OverlapAndAdd(NF.Zeros(new Shape(3, 0)), 2);
        Assert.Equal(new Shape(4), result.Shape);
        Assert.Equal(new float[4], result.ToArray<float>());
        var batched = NF.Signal.OverlapAndAdd(NF.Zeros(new Shape(2, 2, 0)), 3);
        Assert.Equal(new Shape(2, 3), batched.Shape);
    }

    [SkippableFact]
    public void Frame_names_a_step_that_asks_for_more_than_one_tensor_holds()
    {
        RequireBackend();
        // 100001 frames of 100000 samples: 10^10 indices (an OverflowException from the runtime before).
        var e = Assert.Throws<ArgumentException>(() => NF.Signal.Frame(NF.Zeros(new Shape(200000)), 100000, 1));
        Assert.Equal("frameStep", e.ParamName);
        Assert.Contains("100001 frames", e.Message);
    }

    [SkippableFact]
    public void Windows_grids_and_mel_weights_honour_a_float16_dtype()
    {
        RequireBackend();
        // They came back float32 whatever float dtype was asked for (float64 excepted).
        var hann = NF.Signal.HannWindow(4, dtype: DType.Float16);
        Assert.Equal(DType.Float16, hann.DType);
        Assert.Equal(new[] { 0f, 0.5f, 1f, 0.5f }, NF.Cast(hann, DType.Float32).ToArray<float>());
        var grid = NF.Linspace(0, 1, 3, DType.Float16);
        Assert.Equal(DType.Float16, grid.DType);
        Assert.Equal(new[] { 0f, 0.5f, 1f }, NF.Cast(grid, DType.Float32).ToArray<float>());
        Assert.Equal(DType.Float16, NF.Signal.LinearToMelWeightMatrix(2, 3, dtype: DType.Float16).DType);
        Assert.Equal(DType.Float16, NF.Bartlett(4, DType.Float16).DType);
    }

    [SkippableFact]
    public void Stft_and_Istft_run_on_float16_signals()
    {
        RequireBackend();
        // Stft multiplied a float16 signal by a float32 window (a dtype error naming Multiply), and
        // Istft read its coverage check with Item<float> (an InvalidCastException).
        var x = NF.Cast(NF.Sin(NF.Cast(NF.Range(32), DType.Float32) * 0.3), DType.Float16);
        var spectrum = NF.Stft(x, 8, 2, 8);
        Assert.Equal(DType.Float16, spectrum.Real.DType);
        var back = NF.Istft(spectrum, 8, 2, 8, 32);
        Assert.Equal(DType.Float16, back.DType);
        var expected = NF.Cast(x, DType.Float32).ToArray<float>();
        var actual = NF.Cast(back, DType.Float32).ToArray<float>();
        for (int i = 0; i < 32; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 0.02, $"sample {i}: {actual[i]} vs {expected[i]}");
    }

    [SkippableFact]
    public void Sorted_segment_reductions_with_a_large_id_gap_finish()
    {
        RequireBackend();
        // A tensor per empty segment before: an id of 3·10^6 took minutes. TF's segment_max/min/prod:
        // empty segments are 0 (max, min) and 1 (prod).
        var data = NF.Constant(new float[] { 1, 5, 3, 2 });
        var ids = NF.Constant(new[] { 0, 0, 3_000_000, 3_000_000 });
        var max = NF.SegmentMax(data, ids);
        Assert.Equal(new Shape(3_000_001), max.Shape);
        var values = max.ToArray<float>();
        Assert.Equal(5f, values[0]);
        Assert.Equal(3f, values[^1]);
        Assert.Equal(0f, values[1]);
        Assert.Equal(0f, values[2_999_999]);
        var prod = NF.SegmentProd(data, ids).ToArray<float>();
        Assert.Equal(new[] { 5f, 1f, 1f }, new[] { prod[0], prod[1], prod[2_999_999] });
        Assert.Equal(6f, prod[^1]);
        Assert.Equal(new[] { 1f, 0f, 2f }, NF.SegmentMin(data, NF.Constant(new[] { 0, 0, 2, 2 })).ToArray<float>());
    }

    [SkippableFact]
    public void Sorted_segment_max_gradient_reaches_the_rows_across_gaps()
    {
        RequireBackend();
        var data = new Variable(NF.Constant(new float[] { 1, 5, 3 }));
        using var tape = new GradientTape();
        var y = NF.ReduceSum(NF.SegmentMax(data, NF.Constant(new[] { 0, 0, 4 })) * NF.Constant(new float[] { 1, 1, 1, 1, 2 }));
        Assert.Equal(new[] { 0f, 1f, 2f }, tape.Gradient(y, data).ToArray<float>());
    }

    [SkippableFact]
    public void Repeat_refuses_per_element_counts_whose_sum_passes_a_dimension()
    {
        RequireBackend();
        // A host list grew towards 2^32 positions (minutes, then out of memory) before.
        var e = Assert.Throws<ArgumentException>(() => NF.Repeat(NF.Constant(new float[] { 1, 2 }), [int.MaxValue, int.MaxValue]));
        Assert.Equal("repeats", e.ParamName);
        Assert.Contains("4294967294", e.Message);
        Assert.Equal(new[] { 2f, 2f, 2f }, NF.Repeat(NF.Constant(new float[] { 1, 2 }), [0, 3]).ToArray<float>());
    }

    [SkippableFact]
    public void Unfold_names_a_dilation_or_padding_that_wraps_a_dimension()
    {
        RequireBackend();
        var image = NF.Zeros(new Shape(1, 1, 4, 4));
        // The span dilation · (k - 1) + 1 wrapped to a negative size ("Dimensions must be at least 0").
        var dilated = Assert.Throws<ArgumentException>(() => NF.Unfold(image, 2, dilation: int.MaxValue));
        Assert.Contains("spans 2147483648 x 2147483648", dilated.Message);
        // The padded size wrapped negative (a message about a -2147483644 x -2147483644 image).
        var padded = Assert.Throws<ArgumentOutOfRangeException>(() => NF.Unfold(image, 2, padding: int.MaxValue / 2 + 1));
        Assert.Equal("padding", padded.ParamName);
        Assert.Contains("2147483652", padded.Message);
    }
}

/// <summary>The sweep's op cases on the managed backend.</summary>
public sealed class ManagedTrustSweep3OpsTests() : TrustSweep3OpsTests("managed");

/// <summary>The sweep's op cases on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep3OpsTests() : TrustSweep3OpsTests("cpu");

/// <summary>The sweep's op cases on CUDA.</summary>
public sealed class CudaTrustSweep3OpsTests() : TrustSweep3OpsTests("cuda");
