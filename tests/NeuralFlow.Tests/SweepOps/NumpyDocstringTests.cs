namespace NeuralFlow.Tests.SweepOps;

/// <summary>
/// The printed examples of Keras 3's keras/src/ops/numpy.py docstrings whose operation NeuralFlow
/// has (under its TensorFlow name: amax is ReduceMax, arccos Acos, hsplit Split on axis 1, ...),
/// on every engine, dtype included: a Python int list is int32 and stays int32 through add, max,
/// sums and einsum; the trigonometric functions of int32 give float32.
/// </summary>
public abstract class NumpyDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor I(params int[] v) => NF.Constant(v);
    private static Tensor I(int[,] v) => NF.Constant(v);
    private static readonly DType I32 = DType.Int32, F32 = DType.Float32, Bool = DType.Bool;

    [SkippableFact]
    public void Arithmetic_and_reductions_keep_int32()
    {
        RequireBackend();
        Published.Is(NF.Abs(NF.Constant(new[] { -1.2f, 1.2f })), F32, [1.2, 1.2]);
        Published.Is(NF.Add(I(1, 4), I(5, 6)), I32, [6, 10], 0, 0);
        Published.Is(NF.Add(I(new[,] { { 5, 4 }, { 5, 6 } }), I(5, 6)), I32, [2, 2], [10, 10, 10, 12], 0, 0);
        var tf = NF.Constant(new[] { true, false });
        var tf2 = NF.Constant(new[,] { { true, false }, { true, true } });
        Published.Is(NF.ReduceAll(tf), Bool, 0, 0, 0);
        Published.Is(NF.ReduceAll(tf2, 0), Bool, [1, 0], 0, 0);
        Published.Is(NF.ReduceAll(tf2, keepDims: true), Bool, [1, 1], [0], 0, 0);
        Published.Is(NF.ReduceAny(tf), Bool, 1, 0, 0);
        Published.Is(NF.ReduceAny(tf2, 0), Bool, [1, 1], 0, 0);
        Published.Is(NF.ReduceMax(I(new[,] { { 1, 3, 5 }, { 2, 3, 6 } })), I32, 6, 0, 0);
        var m = I(new[,] { { 1, 6, 8 }, { 1, 5, 2 } });
        Published.Is(NF.ReduceMax(m, 0), I32, [1, 6, 8], 0, 0);
        Published.Is(NF.ReduceMax(m, 1, keepDims: true), I32, [2, 1], [8, 5], 0, 0);
        Published.Is(NF.ReduceMin(I(1, 3, 5, 2, 3, 6)), I32, 1, 0, 0);
        var n = I(new[,] { { 1, 6, 8 }, { 7, 5, 3 } });
        Published.Is(NF.ReduceMin(n, 0), I32, [1, 5, 3], 0, 0);
        Published.Is(NF.ReduceMin(n, 1, keepDims: true), I32, [2, 1], [1, 3], 0, 0);
        // count_nonzero: Keras prints 5 for the whole and int64 per axis (NumPy's intp); NF counts in int64.
        var c = I(new[,] { { 0, 1, 7, 0 }, { 3, 0, 2, 19 } });
        Published.Is(NF.CountNonzero(c), DType.Int64, 5, 0, 0);
        Published.Is(NF.CountNonzero(c, 0), DType.Int64, [1, 1, 2, 1], 0, 0);
        Published.Is(NF.CountNonzero(c, 1), DType.Int64, [2, 3], 0, 0);
        Published.Is(NF.BroadcastTo(I(1, 2, 3), [3, 3]), I32, [3, 3], [1, 2, 3, 1, 2, 3, 1, 2, 3], 0, 0);
    }

    [SkippableFact]
    public void Arange_gives_keras_dtypes()
    {
        RequireBackend();
        Published.Is(NF.Range(3), I32, [0, 1, 2], 0, 0);
        Published.Is(NF.Range(0f, 3f), F32, [0, 1, 2], 0, 0);
        Published.Is(NF.Range(3, 7), I32, [3, 4, 5, 6], 0, 0);
        Published.Is(NF.Range(3, 7, 2), I32, [3, 5], 0, 0);
    }

    // Keras: the trigonometric functions of int32 are float32 (its result_type with float).
    [SkippableFact]
    public void Trigonometric_functions_of_int32_give_float32()
    {
        RequireBackend();
        Published.Is(NF.Acos(I(1, -1)), F32, [0.0, 3.1415927]);
        Published.Is(NF.Acosh(I(10, 100)), F32, [2.993223, 5.298292]);
        Published.Is(NF.Asin(I(1, -1, 0)), F32, [1.5707964, -1.5707964, 0]);
        Published.Is(NF.Asinh(I(1, -1, 0)), F32, [0.88137364, -0.88137364, 0]);
        Published.Is(NF.Atan(I(0, 1)), F32, [0, 0.7853982]);
        Published.Is(NF.Atanh(NF.Constant(new[] { 0f, -0.5f })), F32, [0, -0.54930615]);
        var degrees = NF.Atan2(I(-1, -1, 1, 1), I(-1, 1, 1, -1)) * 180 / Math.PI;
        Published.Is(degrees, F32, [-135, -45, 45, 135], 1e-6, 1e-4);
        Published.Is(NF.Atan2(NF.Constant(new[] { 1f, -1f }), NF.Constant(new[] { 0f, 0f })), F32, [1.5707964, -1.5707964]);
        // atan2(0, -0) is π: the sign of zero counts (IEEE 754, NumPy).
        Published.Is(NF.Atan2(NF.Constant(new[] { 0f, 0f, float.PositiveInfinity }), NF.Constant(new[] { 0f, -0f, float.PositiveInfinity })),
            F32, [0, 3.1415925, 0.7853982]);
    }

    [SkippableFact]
    public void Argmax_argmin_and_argsort_give_the_printed_indices()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Range(6), [2, 3]) + 10;
        Published.Is(x, I32, [2, 3], [10, 11, 12, 13, 14, 15], 0, 0);
        // Keras prints int32 indices; NF's ArgMax/ArgMin follow tf.math.argmax (int64).
        Published.Is(NF.ArgMax(NF.Reshape(x, [-1])), DType.Int64, 5, 0, 0);
        Published.Is(NF.ArgMax(x, 0), DType.Int64, [1, 1, 1], 0, 0);
        Published.Is(NF.ArgMax(x, 1), DType.Int64, [2, 2], 0, 0);
        Published.Is(NF.ArgMin(NF.Reshape(x, [-1])), DType.Int64, 0, 0, 0);
        Published.Is(NF.ArgMin(x, 0), DType.Int64, [0, 0, 0], 0, 0);
        Published.Is(NF.ArgMin(x, 1), DType.Int64, [0, 0], 0, 0);
        Published.Is(NF.ArgSort(I(3, 1, 2)), I32, [1, 2, 0], 0, 0);
        var y = I(new[,] { { 0, 3 }, { 3, 2 }, { 4, 5 } });
        Published.Is(NF.ArgSort(y, 0), I32, [3, 2], [0, 1, 1, 0, 2, 2], 0, 0);
        Published.Is(NF.ArgSort(y, 1), I32, [3, 2], [0, 1, 1, 0, 0, 1], 0, 0);
    }

    [SkippableFact]
    public void Diag_diagonal_trace_and_einsum_of_int32()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Range(9), [3, 3]);
        Published.Is(NF.DiagPart(x), I32, [0, 4, 8], 0, 0);
        Published.Is(NF.Diag(NF.DiagPart(x)), I32, [3, 3], [0, 0, 0, 0, 4, 0, 0, 0, 8], 0, 0);
        Published.Is(NF.DiagPart(NF.Reshape(NF.Range(4), [2, 2])), I32, [0, 3], 0, 0);
        var a = NF.Reshape(NF.Range(25), [5, 5]);
        var b = NF.Range(5);
        var c = NF.Reshape(NF.Range(6), [2, 3]);
        Published.Is(NF.Einsum("ii", a), I32, 60, 0, 0);
        Published.Is(NF.Trace(a), I32, 60, 0, 0);
        Published.Is(NF.Einsum("ii->i", a), I32, [0, 6, 12, 18, 24], 0, 0);
        Published.Is(NF.Einsum("ij->i", a), I32, [10, 35, 60, 85, 110], 0, 0);
        Published.Is(NF.ReduceSum(a, 1), I32, [10, 35, 60, 85, 110], 0, 0);
        Published.Is(NF.Einsum("...j->...", a), I32, [10, 35, 60, 85, 110], 0, 0);
        Published.Is(NF.Einsum("ji", c), I32, [3, 2], [0, 3, 1, 4, 2, 5], 0, 0);
        Published.Is(NF.Einsum("ij->ji", c), I32, [3, 2], [0, 3, 1, 4, 2, 5], 0, 0);
        Published.Is(NF.Transpose(c), I32, [3, 2], [0, 3, 1, 4, 2, 5], 0, 0);
        Published.Is(NF.Einsum("ij,j", a, b), I32, [30, 80, 130, 180, 230], 0, 0);
        Published.Is(NF.Einsum("...j,j", a, b), I32, [30, 80, 130, 180, 230], 0, 0);
        // An integer matrix product too (MatMul takes floats only; before, einsum threw for int32):
        // np.einsum("ij,jk->ik", a, a)[0] = [150, 160, 170, 180, 190].
        Published.Is(NF.Einsum("ij,jk->ik", a, a)[0], I32, [150, 160, 170, 180, 190], 0, 0);
    }

    // Before, any letter repeated within an operand ("ii", "ii->i") was refused; now it takes the
    // diagonal as np.einsum does. References: np.einsum("iji->j", arange(12).reshape(2, 3, 2)) = [7, 11, 15];
    // np.einsum("ii,ij->j", ...) by hand below; gradients by finite differences in float64.
    [SkippableFact]
    public void Einsum_takes_the_diagonal_of_a_repeated_letter_with_its_gradient()
    {
        RequireBackend();
        Published.Is(NF.Einsum("iji->j", NF.Reshape(NF.Range(12), [2, 3, 2])), I32, [7, 11, 15], 0, 0);
        var sq = NF.Constant(new double[,] { { 1, 2 }, { 3, 4 } });
        // diag [1, 4] times each row of [[1, 2], [3, 4]], summed over i: [1*1 + 4*3, 1*2 + 4*4].
        Published.Is(NF.Einsum("ii,ij->j", sq, sq), DType.Float64, [13, 18], 0, 0);
        Published.Is(NF.Einsum("bii->bi", NF.Reshape(NF.Range(0f, 8f), [2, 2, 2])), F32, [2, 2], [0, 3, 4, 7], 0, 0);
        GradientTests.Check(t => NF.Einsum("ii->i", t[0]), GradientTests.In([3, 3], 81));
        GradientTests.Check(t => NF.Einsum("ii", t[0]), GradientTests.In([3, 3], 82));
        GradientTests.Check(t => NF.Einsum("iij,jk->ik", t[0], t[1]), GradientTests.In([2, 2, 3], 83), GradientTests.In([3, 2], 84));
        Assert.Contains("repeats 'i' over axes of sizes 2 and 3", Assert.Throws<ArgumentException>(() => NF.Einsum("ii->i", NF.Zeros([2, 3]))).Message);
    }

    [SkippableFact]
    public void Splits_stacks_and_grids_give_the_printed_pieces()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Range(0f, 16f), [4, 4]);
        var h = NF.Split(x, 2, axis: 1); // hsplit(x, 2)
        Published.Is(h[0], F32, [4, 2], [0, 1, 4, 5, 8, 9, 12, 13], 0, 0);
        Published.Is(h[1], F32, [4, 2], [2, 3, 6, 7, 10, 11, 14, 15], 0, 0);
        var h3 = NF.Split(x, [1, 2, 1], axis: 1); // hsplit(x, [1, 3])
        Published.Is(h3[0], F32, [4, 1], [0, 4, 8, 12], 0, 0);
        Published.Is(h3[1], F32, [4, 2], [1, 2, 5, 6, 9, 10, 13, 14], 0, 0);
        Published.Is(h3[2], F32, [4, 1], [3, 7, 11, 15], 0, 0);
        var v = NF.Split(NF.Reshape(NF.Range(12), [4, 3]), [1, 2, 1], axis: 0); // vsplit(x, [1, 3])
        Published.Is(v[1], I32, [2, 3], [3, 4, 5, 6, 7, 8], 0, 0);
        var d = NF.Split(NF.Reshape(NF.Range(0f, 16f), [2, 2, 4]), 2, axis: 2); // dsplit(x, 2)
        Published.Is(d[1], F32, [2, 2, 2], [2, 3, 6, 7, 10, 11, 14, 15], 0, 0);
        var pieces = NF.Split(NF.Range(10), [4, 3, 3]); // array_split(arange(10), 3)
        Published.Is(pieces[2], I32, [7, 8, 9], 0, 0);
        Published.Is(NF.Stack([I(1, 2, 3), I(4, 5, 6)], axis: 1), I32, [3, 2], [1, 4, 2, 5, 3, 6], 0, 0); // column_stack
        var grid = NF.Meshgrid([I(1, 2, 3), I(4, 5, 6)], indexing: "ij");
        Published.Is(grid[0], I32, [3, 3], [1, 1, 1, 2, 2, 2, 3, 3, 3], 0, 0);
        Published.Is(grid[1], I32, [3, 3], [4, 5, 6, 4, 5, 6, 4, 5, 6], 0, 0);
        var rows = NF.Unstack(I(new[,] { { 1, 2 }, { 3, 4 } })); // keras.ops.unstack (core.py)
        Published.Is(rows[1], I32, [3, 4], 0, 0);
    }

    // keras.ops.unique sorts (NumPy's np.unique); NF.Unique is tf.unique, in order of first appearance.
    [SkippableFact]
    public void Unique_finds_the_printed_values_in_first_appearance_order()
    {
        RequireBackend();
        var (y, idx) = NF.Unique(I(3, 1, 2, 1, 3, 2));
        Published.Is(y, I32, [3, 1, 2], 0, 0);
        Published.Is(NF.Sort(y), I32, [1, 2, 3], 0, 0);
        Published.Is(idx, I32, [0, 1, 2, 1, 0, 2], 0, 0);
    }
}

public sealed class ManagedNumpyDocstringTests() : NumpyDocstringTests("managed");

public sealed class NativeCpuNumpyDocstringTests() : NumpyDocstringTests("cpu");

public sealed class CudaNumpyDocstringTests() : NumpyDocstringTests("cuda");
