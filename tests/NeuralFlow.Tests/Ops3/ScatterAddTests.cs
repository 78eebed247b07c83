using Xunit.Abstractions;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The scatter-add kernel (nf_scatter_add) through the ops that use it: Gather's gradient (and so
/// Embedding's), UnsortedSegmentSum and ScatterNd / TensorScatterAdd, on every engine. Reference
/// values are NumPy's np.add.at (Gather's gradient) and tf.math.unsorted_segment_sum's documented
/// rule (negative ids dropped), computed with NumPy.
/// </summary>
public abstract class ScatterAddTests(string backend, ITestOutputHelper output) : BackendTest(backend)
{
    // The gradient of sum(Gather(x, indices, axis) * g) with respect to x.
    private static double[] GatherGradient(int[] xShape, Tensor indices, int axis, Tensor g)
    {
        var x = NF.Zeros(new Shape(xShape), DType.Float64);
        using var tape = new GradientTape();
        tape.Watch(x);
        var loss = NF.ReduceSum(NF.Gather(x, indices, axis) * g);
        return tape.Gradient(loss, [x])[0].ToArray<double>();
    }

    [SkippableFact]
    public void Gather_gradient_adds_repeated_rows_as_numpy_add_at()
    {
        RequireBackend();
        // dx = zeros((5, 3)); np.add.at(dx, [[0, 2], [2, 4], [0, 0]], arange(18).reshape(3, 2, 3) * 0.5 - 2)
        var g = NF.Range(0.0, 18.0, 1.0, dtype: DType.Float64) * 0.5 - 2;
        var dx = GatherGradient([5, 3], NF.Constant(new[,] { { 0, 2 }, { 2, 4 }, { 0, 0 } }), 0, NF.Reshape(g, [3, 2, 3]));
        Assert.Equal(new[] { 7.5, 9, 10.5, 0, 0, 0, 0.5, 1.5, 2.5, 0, 0, 0, 2.5, 3, 3.5 }, dx);
        // A middle axis: x (2, 4, 3), indices [3, 1, 3] (int64), g = arange(18).reshape(2, 3, 3) - 4.
        var g2 = NF.Reshape(NF.Range(0.0, 18.0, 1.0, dtype: DType.Float64) - 4, [2, 3, 3]);
        var dx2 = GatherGradient([2, 4, 3], NF.Constant(new long[] { 3, 1, 3 }), 1, g2);
        Assert.Equal(new double[] { 0, 0, 0, -1, 0, 1, 0, 0, 0, -2, 0, 2, 0, 0, 0, 8, 9, 10, 0, 0, 0, 16, 18, 20 }, dx2);
        // A transposed (strided) upstream gradient and uint8 indices give the same sums.
        var packedT = NF.Transpose(g2, [2, 1, 0]) + 0.0;       // (3, 3, 2), contiguous
        Assert.Equal(dx2, GatherGradient([2, 4, 3], NF.Constant(new byte[] { 3, 1, 3 }), 1, NF.Transpose(packedT, [2, 1, 0])));
    }

    [SkippableFact]
    public void Gradients_match_central_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Gather(t[0], NF.Constant(new[,] { { 1, 0 }, { 1, 1 }, { 3, 1 } })), GradientTests.In([4, 3], 401));
        GradientTests.Check(t => NF.Gather(t[0], NF.Constant(new long[] { 2, 2, 0 }), 1), GradientTests.In([2, 3, 2], 402));
        GradientTests.Check(t => NF.UnsortedSegmentSum(t[0], NF.Constant(new[,] { { 0, 2 }, { -1, 0 } }), 3), GradientTests.In([2, 2, 3], 403));
        GradientTests.Check(t => NF.UnsortedSegmentSum(t[0], NF.Constant(new long[] { 1, 1, 1 }), 2), GradientTests.In([3], 404));
        // Gradients of gradients: Gather's gradient is a scatter-add, whose gradient is a Gather.
        GradientTests.Check(t =>
        {
            using var inner = new GradientTape();
            inner.Watch(t[0]);
            var y = NF.ReduceSum(NF.Square(NF.Gather(t[0], NF.Constant(new[] { 0, 0, 1 }))));
            return inner.Gradient(y, [t[0]])[0];
        }, GradientTests.In([2, 2], 405));
    }

    [SkippableFact]
    public void Unsorted_segment_sum_follows_tensorflow()
    {
        RequireBackend();
        // data = arange(12).reshape(2, 2, 3) - 3, ids [[0, 2], [-1, 0]]: the -1 slice is dropped.
        var data = NF.Reshape(NF.Range(0.0, 12.0, 1.0, dtype: DType.Float64) - 3, [2, 2, 3]);
        var sums = NF.UnsortedSegmentSum(data, NF.Constant(new[,] { { 0, 2 }, { -1, 0 } }), 3);
        Assert.Equal(new Shape(3, 3), sums.Shape);
        Assert.Equal(new[] { 3.0, 5, 7, 0, 0, 0, 0, 1, 2 }, sums.ToArray<double>());
        // Integers (wrapping as TensorFlow's int32 adds do), ids covering all of data, and empty cases.
        var ints = NF.UnsortedSegmentSum(NF.Constant(new[] { int.MaxValue, 1, 7 }), NF.Constant(new byte[] { 1, 1, 0 }), 2);
        Assert.Equal(new[] { 7, int.MinValue }, ints.ToArray<int>());
        Assert.Equal(new long[] { 0, 0 }, NF.UnsortedSegmentSum(NF.Zeros([0], DType.Int64), NF.Zeros([0], DType.Int32), 2).ToArray<long>());
        Assert.Equal(new Shape(0, 4), NF.UnsortedSegmentSum(NF.Ones([3, 4]), NF.Constant(new[] { -1, -1, -1 }), 0).Shape);
    }

    [SkippableFact]
    public void Bad_input_is_named()
    {
        RequireBackend();
        var data = NF.Ones([3, 2]);
        var ids = NF.Constant(new[] { 0, 4, 1 });
        var tooBig = Assert.Throws<ArgumentException>(() => NF.UnsortedSegmentSum(data, ids, 3).ToArray<float>());
        Assert.Contains("holds 4 at flat position 1, outside [0, 3)", tooBig.Message);
        Assert.Contains("leading axes of data", Assert.Throws<ArgumentException>(() => NF.UnsortedSegmentSum(data, NF.Constant(new[] { 0, 1 }), 3)).Message);
        Assert.Contains("at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.UnsortedSegmentSum(data, ids, -1)).Message);
        Assert.Contains("int32, int64 or uint8", Assert.Throws<ArgumentException>(() => NF.UnsortedSegmentSum(data, NF.Zeros([3]), 3)).Message);
        Assert.Contains("bool", Assert.Throws<NotSupportedException>(() => NF.UnsortedSegmentSum(NF.Constant(new[] { true }), NF.Constant(new[] { 0 }), 1)).Message);
        // ScatterNd on the device still names the bad tuple.
        Assert.Contains("component 0 = 3 is outside [0, 3)",
            Assert.Throws<ArgumentException>(() => NF.ScatterNd(NF.Constant(new[,] { { 1 }, { 3 } }), NF.Ones([2, 4]), new Shape(3, 4))).Message);
    }

    [SkippableFact]
    public void Scatters_replay_in_NF_Function_without_reading_indices_on_the_host()
    {
        RequireBackend();
        var f = NF.Function((Tensor i, Tensor u) => NF.TensorScatterAdd(NF.Ones([3, 2]), i, u) + NF.UnsortedSegmentSum(u, NF.Reshape(i, [-1]), 3));
        for (int k = 0; k < 3; k++)
        {
            var i = NF.Constant(new long[,] { { 2 }, { k % 3 }, { 2 } });
            var u = NF.Constant(new[,] { { 1f, 2 }, { 3, 4 }, { 5 + k, 6 } });
            var eager = NF.TensorScatterAdd(NF.Ones([3, 2]), i, u) + NF.UnsortedSegmentSum(u, NF.Reshape(i, [-1]), 3);
            Assert.Equal(eager.ToArray<float>(), f(i, u).ToArray<float>());
        }
        var info = TracedFunction.Of(f);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        // A replayed scatter still refuses a bad index.
        Assert.Throws<ArgumentException>(() => f(NF.Constant(new long[,] { { 0 }, { 3 }, { 1 } }), NF.Ones([3, 2])).ToArray<float>());
    }

    [SkippableFact]
    public void Embedding_learns_and_replayed_fit_equals_eager()
    {
        RequireBackend();
        // 12 tokens, 6 per example with many repeats; the label is whether token 0..5 dominates.
        NF.Random.SetSeed(7);
        var x = NF.Random.Uniform([64, 6], 0, 12, DType.Int32);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(NF.Cast(NF.Less(x, 6), DType.Float32), 1), NF.Constant(3f)), DType.Int32);
        var runs = new[] { true, false }.Select(eager =>
        {
            NF.Random.SetSeed(11);
            var model = new Sequential(new Layers.Embedding(12, 4), new Layers.GlobalAveragePooling1D(), new Layers.Dense(2));
            model.Compile(new Optimizers.Adam(0.05), new Losses.SparseCategoricalCrossentropy(fromLogits: true), runEagerly: eager);
            var history = model.Fit(x, y, batchSize: 16, epochs: 15, verbose: 0, shuffle: false);
            if (!eager) Assert.True(model.TrainFunction!.ReplayCount > 0 && model.TrainFunction.EagerReason is null, model.TrainFunction.EagerReason);
            return (Loss: history["loss"], Weights: model.GetWeights().Select(w => w.ToArray<float>()).ToArray());
        }).ToArray();
        Assert.True(runs[0].Loss[^1] < 0.5 * runs[0].Loss[0], $"loss went from {runs[0].Loss[0]} to {runs[0].Loss[^1]}");
        if (BackendName == "cuda")
        {
            // Atomic float adds on a GPU: a row's terms add in any order, so only close.
            for (int e = 0; e < runs[0].Loss.Count; e++) Assert.Equal(runs[0].Loss[e], runs[1].Loss[e], 1e-4);
            return;
        }
        Assert.Equal(runs[0].Loss, runs[1].Loss);
        for (int w = 0; w < runs[0].Weights.Length; w++) Assert.Equal(runs[0].Weights[w], runs[1].Weights[w]);
    }

    [SkippableFact]
    public void Embedding_gradient_makes_no_one_hot_matrix()
    {
        RequireBackend();
        // Embedding(10000, 64) fed 3,200 indices: the one-hot product this replaced held a
        // 3,200 x 10,000 float matrix (128 MB); the scatter-add needs the 2.56 MB gradient.
        var table = new Variable(NF.Random.Uniform([10000, 64]));
        var ids = NF.Random.Uniform([3200], 0, 10000, DType.Int32);
        void Step()
        {
            using var scope = TensorScope.Begin();
            using var tape = new GradientTape();
            var loss = NF.ReduceSum(NF.Square(NF.Gather(table, ids)));
            tape.Gradient(loss, [table])[0].ToArray<float>();
        }
        Step();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long baseline = Backends.DeviceBuffer.LiveBytes;
        Backends.DeviceBuffer.ResetPeak();
        Step();
        long peak = Backends.DeviceBuffer.PeakLiveBytes - baseline;
        output.WriteLine($"{BackendName}: an Embedding(10000, 64) backward of 3,200 indices peaked at {peak:N0} bytes");
        Assert.True(peak < 16_000_000, $"the backward pass peaked at {peak:N0} bytes");
    }
}

public sealed class ManagedScatterAddTests(ITestOutputHelper output) : ScatterAddTests("managed", output);

public sealed class NativeCpuScatterAddTests(ITestOutputHelper output) : ScatterAddTests("cpu", output);

public sealed class CudaScatterAddTests(ITestOutputHelper output) : ScatterAddTests("cuda", output);
