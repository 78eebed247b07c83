namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// tf.math.unsorted_segment_max, _min, _prod, _mean and _sqrt_n (a graph network's aggregations: the Keras GNN example
/// picks sum, mean or max), which did not exist: TensorFlow's docstring examples, empty segments (the dtype's lowest or
/// largest value, 1, 0), dropped negative ids, refused ids past numSegments, TensorFlow's gradients (ties share, a
/// product's zeros), and a compiled step. Float64 values from a PyTorch loop over the segments (written in the test).
/// </summary>
public abstract class UnsortedSegmentReductionsTests(string backend) : BackendTest(backend)
{
    private static Tensor Data() => NF.Constant(new double[,] { { 1, 2, 3 }, { 4, -5, 6 }, { 4, 0, -1 }, { 7, 8, 0 }, { 2, 2, 2 }, { 9, 9, 9 } });
    private static Tensor Ids() => NF.Constant(new[] { 0, 2, 0, 2, -1, 2 });

    [SkippableFact]
    public void TensorFlow_docstring_examples()
    {
        RequireBackend();
        var c = NF.Constant(new[,] { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 4, 3, 2, 1 } });
        var ids = NF.Constant(new[] { 0, 1, 0 });
        Assert.Equal(new[] { 4, 3, 3, 4, 5, 6, 7, 8 }, NF.UnsortedSegmentMax(c, ids, 2).ToArray<int>());
        Assert.Equal(new[] { 1, 2, 2, 1, 5, 6, 7, 8 }, NF.UnsortedSegmentMin(c, ids, 2).ToArray<int>());
        Assert.Equal(new[] { 4, 6, 6, 4, 5, 6, 7, 8 }, NF.UnsortedSegmentProd(c, ids, 2).ToArray<int>());
        var f = NF.Cast(c, DType.Float32);
        Assert.Equal(new[] { 2.5f, 2.5f, 2.5f, 2.5f, 5, 6, 7, 8 }, NF.UnsortedSegmentMean(f, ids, 2).ToArray<float>());
        var sqrtN = NF.UnsortedSegmentSqrtN(f, ids, 2).ToArray<float>();
        Assert.Equal(new[] { 3.535534f, 3.535534f, 3.535534f, 3.535534f, 5, 6, 7, 8 }, sqrtN.Select(v => MathF.Round(v, 6)).ToArray());
        Assert.Equal(new Shape(2, 4), NF.UnsortedSegmentMax(c, ids, 2).Shape);
    }

    [SkippableFact]
    public void Empty_segments_and_dropped_ids_follow_tensorflow()
    {
        RequireBackend();
        const double Low = double.MinValue, High = double.MaxValue;
        Assert.Equal(new[] { 4.0, 2, 3, Low, Low, Low, 9, 9, 9, Low, Low, Low }, NF.UnsortedSegmentMax(Data(), Ids(), 4).ToArray<double>());
        Assert.Equal(new[] { 1.0, 0, -1, High, High, High, 4, -5, 0, High, High, High }, NF.UnsortedSegmentMin(Data(), Ids(), 4).ToArray<double>());
        Assert.Equal(new[] { 4.0, 0, -3, 1, 1, 1, 252, -360, 0, 1, 1, 1 }, NF.UnsortedSegmentProd(Data(), Ids(), 4).ToArray<double>());
        var mean = NF.UnsortedSegmentMean(Data(), Ids(), 4).ToArray<double>();
        Assert.Equal(new[] { 2.5, 1, 1, 0, 0, 0, 6.666666666666667, 4, 5, 0, 0, 0 }, mean.Select(v => Math.Round(v, 15)).ToArray());
        var sqrtN = NF.UnsortedSegmentSqrtN(Data(), Ids(), 4).ToArray<double>();
        double[] want = [3.5355339059327373, 1.414213562373095, 1.414213562373095, 0, 0, 0, 11.547005383792516, 6.92820323027551, 8.660254037844387, 0, 0, 0];
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], sqrtN[i], 1e-14);
        // float32's lowest is -FLT_MAX (not -inf); an integer segment's is the type's minimum.
        Assert.Equal(float.MinValue, NF.UnsortedSegmentMax(NF.Constant(new[] { 1f }), NF.Constant(new[] { 0 }), 2).ToArray<float>()[1]);
        Assert.Equal(int.MaxValue, NF.UnsortedSegmentMin(NF.Constant(new[] { 1 }), NF.Constant(new[] { 0 }), 2).ToArray<int>()[1]);
        Assert.Equal(long.MinValue, NF.UnsortedSegmentMax(NF.Constant(new[] { 1L }), NF.Constant(new[] { 0 }), 2).ToArray<long>()[1]);
        // No rows at all: every segment is empty.
        Assert.Equal(new[] { Low, Low }, NF.UnsortedSegmentMax(NF.Zeros(new Shape(0), DType.Float64), NF.Zeros(new Shape(0), DType.Int32), 2).ToArray<double>());
        // Ids of rank 2 cover data's two leading axes; NaN propagates as in NF.Maximum.
        var grid = NF.Constant(new double[,] { { 1, double.NaN }, { 3, 4 } });
        var max = NF.UnsortedSegmentMax(grid, NF.Constant(new[,] { { 0, 0 }, { 1, 1 } }), 2).ToArray<double>();
        Assert.True(double.IsNaN(max[0]));
        Assert.Equal(4.0, max[1]);
    }

    [SkippableFact]
    public void Bad_ids_are_refused_by_name()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.UnsortedSegmentMax(Data(), NF.Constant(new[] { 0, 2, 0, 9, 1, 2 }), 4));
        Assert.Contains("UnsortedSegmentMax", e.Message);
        Assert.Contains("9", e.Message);
        Assert.Throws<ArgumentException>(() => NF.UnsortedSegmentMean(Data(), NF.Constant(new[] { 0, 1 }), 4));
        Assert.Throws<ArgumentException>(() => NF.UnsortedSegmentProd(Data(), NF.Constant(new[] { 0.0, 1, 1, 1, 1, 1 }), 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.UnsortedSegmentMin(Data(), Ids(), -1));
        Assert.Throws<NotSupportedException>(() => NF.UnsortedSegmentSqrtN(NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 0, 0 }), 1));
    }

    [SkippableFact]
    public void Gradients_are_tensorflows()
    {
        RequireBackend();
        // Ties share the gradient evenly: column 0 ties rows 0 and 1, column 1 rows 1 and 2.
        var v = new Variable(NF.Constant(new double[,] { { 3, 1 }, { 3, 2 }, { 0, 2 } }));
        using (var tape = new GradientTape())
        {
            var y = NF.ReduceSum(NF.UnsortedSegmentMax(v, NF.Constant(new[] { 0, 0, 0 }), 1) * NF.Constant(new double[] { 10, 100 }));
            Assert.Equal(new double[] { 5, 0, 5, 50, 0, 50 }, tape.Gradient(y, v).ToArray<double>());
        }
        // A product's gradient: the other slices' product; a segment's only zero gets the rest's product, and a dropped
        // slice 0 (PyTorch's autograd through a loop over the segments gives the same numbers).
        var d = new Variable(Data());
        using (var tape = new GradientTape())
        {
            var w = NF.Reshape(NF.Range(1.0, 13.0, dtype: DType.Float64), [4, 3]);
            var y = NF.ReduceSum(NF.UnsortedSegmentProd(d, Ids(), 4) * w);
            Assert.Equal(new double[] { 4, 0, -3, 441, 576, 0, 1, 4, 9, 252, -360, 486, 0, 0, 0, 196, -320, 0 }, tape.Gradient(y, d).ToArray<double>());
        }
        GradientTests.Check(t => NF.UnsortedSegmentProd(t[0] + 3, NF.Constant(new[] { 1, 0, 1, -1 }), 3), GradientTests.In([4, 2], 71, -1, 1));
        GradientTests.Check(t => NF.UnsortedSegmentMean(t[0], NF.Constant(new[] { 1, 0, 1, -1 }), 3), GradientTests.In([4, 2], 72));
        GradientTests.Check(t => NF.UnsortedSegmentSqrtN(t[0], NF.Constant(new[] { 1, 0, 1, 1 }), 2), GradientTests.In([4, 2], 73));
        GradientTests.Check(t => NF.UnsortedSegmentMin(t[0], NF.Constant(new[] { 1, 0, 1, 0 }), 2), GradientTests.In([4, 2], 74));
    }

    [SkippableFact]
    public void A_compiled_step_replays_the_aggregation()
    {
        RequireBackend();
        // A message-passing step: messages gathered from edge sources, aggregated at edge targets by max and mean.
        var nodes = NF.Constant(new double[,] { { 1, 0 }, { 0, 2 }, { 3, 1 }, { -1, 5 } });
        var targets = NF.Constant(new[] { 1, 2, 2, 0, 3, 3 });
        var sources = NF.Constant(new[] { 0, 0, 1, 2, 2, 1 });
        Tensor Step(Tensor h) { var m = NF.Gather(h, sources, 0); return NF.UnsortedSegmentMax(m, targets, 4) + NF.UnsortedSegmentMean(m, targets, 4); }
        var compiled = NF.Function((Tensor h) => Step(h));
        Assert.Equal(Step(nodes).ToArray<double>(), compiled(nodes).ToArray<double>());
        var other = nodes * 2 - 1;
        Assert.Equal(Step(other).ToArray<double>(), compiled(other).ToArray<double>());
        Assert.True(TracedFunction.Of(compiled).LastCallReplayed, TracedFunction.Of(compiled).EagerReason);
    }
}

/// <summary>The unsorted segment reductions, on the managed backend.</summary>
public sealed class ManagedUnsortedSegmentReductionsTests() : UnsortedSegmentReductionsTests("managed");

/// <summary>The unsorted segment reductions, on the native CPU backend.</summary>
public sealed class NativeCpuUnsortedSegmentReductionsTests() : UnsortedSegmentReductionsTests("cpu");

/// <summary>The unsorted segment reductions, on the CUDA backend.</summary>
public sealed class CudaUnsortedSegmentReductionsTests() : UnsortedSegmentReductionsTests("cuda");
