using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.OpsLoose;

/// <summary>
/// The scatters that combine updates with the values already there -- TensorScatterNdSub / Min / Max
/// (and the Nd aliases of Update / Add), keras.ops.scatter_update's reduction argument, and
/// torch.scatter_reduce -- on every engine: values from ops_loose_references.py beside this file
/// (NumPy's ufunc.at, torch 1.13), duplicates, dtypes, float64 finite-difference gradients, second
/// order, and the exceptions for bad arguments.
/// </summary>
public abstract class ScatterReductionTests(string backend) : BackendTest(backend)
{
    private static Tensor D(double[] v, params int[] shape) => NF.Constant(v, shape);

    private static Tensor I(long[] v, params int[] shape) => NF.Constant(v, shape);

    private static readonly double[] Table = [1, 5, -2, 0, 3, 7, 4, -1, 2, 6, 6, 6];
    private static readonly double[] RowUpdates = [2, 1, 9, -3, 8, 6, -5, 4, 10];
    private static readonly long[] RowIndices = [1, 3, 1];

    [SkippableFact]
    public void Tf_names_combine_row_slices_with_duplicates_as_numpy_at()
    {
        RequireBackend();
        Tensor T() => D(Table, 4, 3);
        Tensor U() => D(RowUpdates, 3, 3);
        Tensor Ix() => I(RowIndices, 3, 1);
        // ops_loose_references.py "nd add" / "nd sub" / "nd min" / "nd max".
        AssertClose([1, 5, -2, -3, 8, 26, 4, -1, 2, 3, 14, 12], NF.TensorScatterNdAdd(T(), Ix(), U()).ToArray<double>(), 0, 0, "nd add");
        AssertClose([1, 5, -2, 3, -2, -12, 4, -1, 2, 9, -2, 0], NF.TensorScatterNdSub(T(), Ix(), U()).ToArray<double>(), 0, 0, "nd sub");
        AssertClose([1, 5, -2, -5, 1, 7, 4, -1, 2, -3, 6, 6], NF.TensorScatterNdMin(T(), Ix(), U()).ToArray<double>(), 0, 0, "nd min");
        AssertClose([1, 5, -2, 2, 4, 10, 4, -1, 2, 6, 8, 6], NF.TensorScatterNdMax(T(), Ix(), U()).ToArray<double>(), 0, 0, "nd max");
        // Update: the last duplicate of row 1 wins (our documented order).
        AssertClose([1, 5, -2, -5, 4, 10, 4, -1, 2, -3, 8, 6], NF.TensorScatterNdUpdate(T(), Ix(), U()).ToArray<double>(), 0, 0, "nd update");
        using var max = NF.TensorScatterNdMax(T(), Ix(), U());
        Assert.Equal(new Shape(4, 3), max.Shape);
        Assert.Equal(DType.Float64, max.DType);
    }

    [SkippableFact]
    public void Element_tuples_integers_float32_and_nan()
    {
        RequireBackend();
        var idx = new long[] { 0, 2, 1, 0, 0, 2, 0, 2 };
        var upd = new[] { 10, -1, 0.5, -7 };
        // "elem min" / "elem max" of ops_loose_references.py.
        AssertClose([1, 2, -7, -1, 5, 6], NF.TensorScatterNdMin(D([1, 2, 3, 4, 5, 6], 2, 3), I(idx, 4, 2), D(upd, 4)).ToArray<double>(), 0, 0, "elem min");
        AssertClose([1, 2, 10, 4, 5, 6], NF.TensorScatterNdMax(D([1, 2, 3, 4, 5, 6], 2, 3), I(idx, 4, 2), D(upd, 4)).ToArray<double>(), 0, 0, "elem max");
        using var imin = NF.TensorScatterNdMin(NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } }), NF.Constant(new[,] { { 0, 2 }, { 1, 0 }, { 0, 2 } }), NF.Constant(new[] { -4, 9, 2 }));
        Assert.Equal(DType.Int32, imin.DType);
        Assert.Equal(new[] { 1, 2, -4, 4, 5, 6 }, imin.ToArray<int>());
        using var fmax = NF.TensorScatterNdMax(NF.Constant(new[] { 1f, 2f, 3f }), NF.Constant(new[,] { { 2L }, { 0L } }), NF.Constant(new[] { 2.5f, 7f }));
        Assert.Equal(DType.Float32, fmax.DType);
        Assert.Equal(new[] { 7f, 2f, 3f }, fmax.ToArray<float>());
        // NaN in an update propagates, as np.maximum.at.
        var nan = NF.TensorScatterNdMax(D([1, 2], 2), I([1], 1, 1), D([double.NaN], 1)).ToArray<double>();
        Assert.Equal(1, nan[0]);
        Assert.True(double.IsNaN(nan[1]));
        // No updates: the input comes back, as a tensor of its own.
        using var none = NF.TensorScatterNdMin(D([1, 2], 2), NF.Zeros(new Shape(0, 1), DType.Int64), NF.Zeros(new Shape(0), DType.Float64));
        AssertClose([1, 2], none.ToArray<double>(), 0, 0, "no updates");
    }

    [SkippableFact]
    public void Keras_scatter_update_reductions()
    {
        RequireBackend();
        // keras.ops.scatter_update's docstring: reduction="add" gives [2, 1, 0, 0].
        using var add = NF.ScatterUpdate(NF.Zeros(new Shape(4), DType.Float64), I([0, 0, 1], 3, 1), D([1, 1, 1], 3), "add");
        AssertClose([2, 1, 0, 0], add.ToArray<double>(), 0, 0, "keras add");
        var idx = new long[] { 0, 2, 1, 0, 0, 2, 0, 2 };
        var upd = new[] { 10, -1, 0.5, -7 };
        Tensor T() => D([1, 2, 3, 4, 5, 6], 2, 3);
        AssertClose([1, 2, 6.5, 3, 5, 6], NF.ScatterUpdate(T(), I(idx, 4, 2), D(upd, 4), "ADD").ToArray<double>(), 0, 0, "elem add");
        AssertClose([1, 2, -7, -1, 5, 6], NF.ScatterUpdate(T(), I(idx, 4, 2), D(upd, 4), "min").ToArray<double>(), 0, 0, "elem min");
        AssertClose([1, 2, 10, 4, 5, 6], NF.ScatterUpdate(T(), I(idx, 4, 2), D(upd, 4), "max").ToArray<double>(), 0, 0, "elem max");
        AssertClose([1, 2, -105, -4, 5, 6], NF.ScatterUpdate(T(), I(idx, 4, 2), D(upd, 4), "mul").ToArray<double>(), 0, 0, "elem mul");
        AssertClose([1, 2, -7, -1, 5, 6], NF.ScatterUpdate(T(), I(idx, 4, 2), D(upd, 4), null).ToArray<double>(), 0, 0, "replace");
        // "nd mul": row slices.
        AssertClose([1, 5, -2, 0, 12, 630, 4, -1, 2, -18, 48, 36], NF.ScatterUpdate(D(Table, 4, 3), I(RowIndices, 3, 1), D(RowUpdates, 3, 3), "mul").ToArray<double>(), 0, 0, "nd mul");
    }

    [SkippableFact]
    public void Torch_scatter_reduce_matches_torch()
    {
        RequireBackend();
        Tensor Inp() => D([1, 2, 3, 4, 5, 6, 7, 8], 2, 4);
        Tensor Src() => D([10, -1, 0.5, 2, -4, 9], 2, 3);
        Tensor Idx() => I([0, 2, 0, 3, 3, 1], 2, 3);
        // ops_loose_references.py "torch1 <reduce> <include_self>".
        var expected = new (string Reduce, bool Self, double[] Values)[]
        {
            ("sum", true, [11.5, 2, 2, 4, 5, 15, 7, 6]), ("sum", false, [10.5, 2, -1, 4, 5, 9, 7, -2]),
            ("prod", true, [5, 2, -3, 4, 5, 54, 7, -64]), ("prod", false, [5, 2, -1, 4, 5, 9, 7, -8]),
            ("mean", true, [3.8333333333333335, 2, 1, 4, 5, 7.5, 7, 2]), ("mean", false, [5.25, 2, -1, 4, 5, 9, 7, -1]),
            ("amax", true, [10, 2, 3, 4, 5, 9, 7, 8]), ("amax", false, [10, 2, -1, 4, 5, 9, 7, 2]),
            ("amin", true, [0.5, 2, -1, 4, 5, 6, 7, -4]), ("amin", false, [0.5, 2, -1, 4, 5, 9, 7, -4]),
        };
        foreach (var (reduce, self, values) in expected)
        {
            using var y = NF.ScatterReduce(Inp(), 1, Idx(), Src(), reduce, self);
            Assert.Equal(new Shape(2, 4), y.Shape);
            AssertClose(values, y.ToArray<double>(), 1e-15, 0, $"torch1 {reduce} {self}");
        }
        // Axis 0 (as -2) with an index shorter than src: "torch0 sum" / "torch0 amax" / "torch0 mean"; "max" is amax.
        Tensor Src0() => D([3, -2, 0.25, 100, 7, 7, 7, 7], 2, 4);
        AssertClose([1, 0, 3, 4, 8, 6, 7.25, 108], NF.ScatterReduce(Inp(), -2, I([1, 0, 1, 1], 1, 4), Src0(), "sum").ToArray<double>(), 0, 0, "torch0 sum");
        AssertClose([1, 2, 3, 4, 5, 6, 7, 100], NF.ScatterReduce(Inp(), 0, I([1, 0, 1, 1], 1, 4), Src0(), "max").ToArray<double>(), 0, 0, "torch0 amax");
        AssertClose([1, 0, 3, 4, 4, 6, 3.625, 54], NF.ScatterReduce(Inp(), 0, I([1, 0, 1, 1], 1, 4), Src0(), "mean").ToArray<double>(), 0, 0, "torch0 mean");
        // torch.scatter_reduce's docstring.
        var docIdx = I([0, 1, 0, 1, 2, 1], 6);
        AssertClose([5, 14, 8, 4], NF.ScatterReduce(D([1, 2, 3, 4], 4), 0, docIdx, D([1, 2, 3, 4, 5, 6], 6), "sum").ToArray<double>(), 0, 0, "doc sum");
        AssertClose([3, 6, 5, 4], NF.ScatterReduce(D([1, 2, 3, 4], 4), 0, docIdx, D([1, 2, 3, 4, 5, 6], 6), "amax", includeSelf: false).ToArray<double>(), 0, 0, "doc amax");
        // Integer mean floors, as torch ("torch int mean", "torch int mean noself").
        using var im = NF.ScatterReduce(NF.Zeros(new Shape(3), DType.Int64), 0, I([0, 0, 1], 3), I([1, 2, -7], 3), "mean");
        Assert.Equal(DType.Int64, im.DType);
        Assert.Equal(new long[] { 1, -4, 0 }, im.ToArray<long>());
        Assert.Equal(new long[] { 1, -7, 30 }, NF.ScatterReduce(I([10, 20, 30], 3), 0, I([0, 0, 1], 3), I([1, 2, -7], 3), "mean", false).ToArray<long>());
        // A scalar and an empty index.
        AssertClose([6], NF.ScatterReduce(NF.Constant(2.0), 0, NF.Constant(0L), NF.Constant(3.0), "prod").ToArray<double>(), 0, 0, "scalar");
        AssertClose([1, 2, 3, 4, 5, 6, 7, 8], NF.ScatterReduce(Inp(), 1, NF.Zeros(new Shape(2, 0), DType.Int64), Src(), "amin").ToArray<double>(), 0, 0, "empty");
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        var rows = I(RowIndices, 3, 1);
        // Random values make ties (which pick one side) improbable.
        GradientTests.Check(t => NF.TensorScatterNdMin(t[0], rows, t[1]), GradientTests.In([4, 3], 1), GradientTests.In([3, 3], 2));
        GradientTests.Check(t => NF.TensorScatterNdMax(t[0], rows, t[1]), GradientTests.In([4, 3], 3), GradientTests.In([3, 3], 4));
        GradientTests.Check(t => NF.TensorScatterNdSub(t[0], rows, t[1]), GradientTests.In([4, 3], 5), GradientTests.In([3, 3], 6));
        GradientTests.Check(t => NF.ScatterUpdate(t[0], rows, t[1], "mul"), GradientTests.In([4, 3], 7), GradientTests.In([3, 3], 8));
        var idx = I([0, 2, 0, 3, 3, 1], 2, 3);
        foreach (var reduce in new[] { "sum", "prod", "mean", "amax", "amin" })
            foreach (var self in new[] { true, false })
                GradientTests.Check(t => NF.ScatterReduce(t[0], 1, idx, t[1], reduce, self), GradientTests.In([2, 4], 9), GradientTests.In([2, 3], 10));
    }

    [SkippableFact]
    public void Second_derivatives_match_finite_differences()
    {
        RequireBackend();
        var rows = I(RowIndices, 3, 1);
        var updates = D(RowUpdates.Select(v => v / 10).ToArray(), 3, 3);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.ScatterUpdate(x, rows, updates * x[1..4], "mul"), [4, 3]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.TensorScatterNdMax(x * x, rows, updates) * x, [4, 3]);
        var idx = I([0, 2, 0, 3, 3, 1], 2, 3);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.ScatterReduce(x, 1, idx, x[.., 0..3] * x[.., 1..4], "prod", false), [2, 4]);
    }

    [SkippableFact]
    public void Bad_arguments_name_the_op_and_the_problem()
    {
        RequireBackend();
        var rows = I(RowIndices, 3, 1);
        var bad = Assert.Throws<ArgumentException>(() => NF.ScatterUpdate(D(Table, 4, 3), rows, D(RowUpdates, 3, 3), "sum"));
        Assert.Contains("ScatterUpdate: invalid reduction \"sum\"", bad.Message);
        var range = Assert.Throws<ArgumentException>(() => NF.TensorScatterNdMin(D(Table, 4, 3), I([1, 4], 2, 1), D(RowUpdates[..6], 2, 3)));
        Assert.Contains("TensorScatterNdMin: index tuple 1", range.Message);
        Assert.Contains("component 0 = 4 is outside [0, 4)", range.Message);
        var shape = Assert.Throws<ArgumentException>(() => NF.TensorScatterNdMax(D(Table, 4, 3), rows, D(RowUpdates[..6], 3, 2)));
        Assert.Contains("TensorScatterNdMax: updates must have shape", shape.Message);
        var dtype = Assert.Throws<ArgumentException>(() => NF.TensorScatterNdSub(D(Table, 4, 3), rows, NF.Cast(D(RowUpdates, 3, 3), DType.Float32)));
        Assert.Contains("TensorScatterNdSub: updates are float32 but tensor is float64", dtype.Message);
        var boolean = Assert.Throws<ArgumentException>(() => NF.TensorScatterNdMax(NF.Constant(new[] { true, false }), I([0], 1, 1), NF.Constant(new[] { false })));
        Assert.Contains("TensorScatterNdMax: bool tensors", boolean.Message);
        var floatIndex = Assert.Throws<ArgumentException>(() => NF.TensorScatterNdMin(D(Table, 4, 3), D([1, 3, 1], 3, 1), D(RowUpdates, 3, 3)));
        Assert.Contains("TensorScatterNdMin", floatIndex.Message);

        Tensor Inp() => D([1, 2, 3, 4, 5, 6, 7, 8], 2, 4);
        var reduce = Assert.Throws<ArgumentException>(() => NF.ScatterReduce(Inp(), 1, I([0], 1, 1), D([1], 1, 1), "median"));
        Assert.Contains("ScatterReduce: reduce must be", reduce.Message);
        var index = Assert.Throws<ArgumentException>(() => NF.ScatterReduce(Inp(), 1, I([0, 4], 1, 2), D([1, 2], 1, 2), "sum"));
        Assert.Contains("ScatterReduce: index (shape (1, 2)) holds 4 at flat position 1, outside [0, 4)", index.Message);
        var negative = Assert.Throws<ArgumentException>(() => NF.ScatterReduce(Inp(), 1, I([-1], 1, 1), D([1], 1, 1), "sum"));
        Assert.Contains("holds -1", negative.Message);
        var axis = Assert.Throws<ArgumentOutOfRangeException>(() => NF.ScatterReduce(Inp(), 2, I([0], 1, 1), D([1], 1, 1), "sum"));
        Assert.Contains("ScatterReduce: axis 2 is outside [-2, 2)", axis.Message);
        var ranks = Assert.Throws<ArgumentException>(() => NF.ScatterReduce(Inp(), 1, I([0], 1), D([1], 1, 1), "sum"));
        Assert.Contains("must have one rank", ranks.Message);
        var longer = Assert.Throws<ArgumentException>(() => NF.ScatterReduce(Inp(), 1, I([0, 0, 0, 0, 0, 0], 3, 2), D([1, 2, 3, 4, 5, 6], 3, 2), "sum"));
        Assert.Contains("ScatterReduce: index (shape (3, 2)) is longer on axis 0", longer.Message);
        var srcShort = Assert.Throws<ArgumentException>(() => NF.ScatterReduce(Inp(), 1, I([0, 1], 1, 2), D([1], 1, 1), "sum"));
        Assert.Contains("is longer on axis 1 than src", srcShort.Message);
    }
}

/// <summary>The scatter reductions on the managed engine.</summary>
public sealed class ManagedScatterReductionTests() : ScatterReductionTests("managed");

/// <summary>The scatter reductions on the native CPU engine.</summary>
public sealed class NativeCpuScatterReductionTests() : ScatterReductionTests("cpu");

/// <summary>The scatter reductions on the CUDA engine.</summary>
public sealed class CudaScatterReductionTests() : ScatterReductionTests("cuda");
