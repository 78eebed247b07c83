using static NeuralFlow.Tests.SweepTf.TfDoc;

namespace NeuralFlow.Tests.SweepTf;

/// <summary>
/// The <c>&gt;&gt;&gt;</c> examples of TensorFlow's tensorflow/python/ops/math_ops.py docstrings
/// (tensorflow/tensorflow at 9a4b6b6b), ported to NF.*: each asserts the printed value, dtype and
/// shape. The comment above each block names the docstring (the tf.* function) it comes from.
/// </summary>
public abstract class TfMathDocTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Linspace_argmax_abs_and_sign()
    {
        RequireBackend();
        // tf.linspace([0., 5.], [10., 40.], 5, axis=0) and axis=-1
        Expect(NF.Linspace(F(0, 5), F(10, 40), 5, axis: 0), DType.Float32, [5, 2], [0, 5, 2.5, 13.75, 5, 22.5, 7.5, 31.25, 10, 40]);
        Expect(NF.Linspace(F(0, 5), F(10, 40), 5, axis: -1), DType.Float32, [2, 5], [0, 2.5, 5, 7.5, 10, 5, 13.75, 22.5, 31.25, 40]);
        // tf.math.argmax: int64, the smallest index on ties
        Expect(NF.ArgMax(I(2, 20, 30, 3, 6)), DType.Int64, Scalar, [2]);
        var b = NF.Constant(new[,] { { 2, 20, 30, 3, 6 }, { 3, 11, 16, 1, 8 }, { 14, 45, 23, 5, 27 } });
        Expect(NF.ArgMax(b, 0), DType.Int64, [5], [2, 2, 0, 2, 2]);
        Expect(NF.ArgMax(b, 1), DType.Int64, [3], [2, 2, 1]);
        Expect(NF.ArgMax(I(0, 0, 0, 0)), DType.Int64, Scalar, [0]);
        // tf.abs (real numbers)
        Expect(NF.Abs(F(-2.25f, 3.25f)), DType.Float32, [2], [2.25, 3.25]);
        // tf.math.sign (real numbers)
        Expect(NF.Sign(F(0, 2, -3)), DType.Float32, [3], [0, 1, -1]);
    }

    [SkippableFact]
    public void Arithmetic_promotes_and_broadcasts_as_tensorflow()
    {
        RequireBackend();
        // tf.divide: the values [4, 2, 5.5]. TensorFlow's dtype is float64 (its _TRUEDIV_TABLE maps
        // int32 to float64); NeuralFlow keeps its documented PyTorch rule, integer operands give
        // float32 (ConformanceTests, usersweep fixtures), a known divergence from the docstring.
        Expect(NF.Divide(I(16, 12, 11), I(4, 6, 2)), DType.Float32, [3], [4, 2, 5.5]);
        Expect(I(16, 12, 11) / I(4, 6, 2), DType.Float32, [3], [4, 2, 5.5]);
        // tf.math.multiply
        var x = I(1, 2, 3, 4);
        Expect(NF.Multiply(x, x), DType.Int32, [4], [1, 4, 9, 16]);
        Expect(NF.Multiply(NF.Constant(7), NF.Constant(6)), DType.Int32, Scalar, [42]);
        Expect(NF.Ones([1, 2]) * NF.Ones([2, 1]), DType.Float32, [2, 2], [1, 1, 1, 1]);
        // tf.pow (the ```python example): int32 powers stay int32
        Expect(NF.Pow(NF.Constant(new[,] { { 2, 2 }, { 3, 3 } }), NF.Constant(new[,] { { 8, 16 }, { 2, 3 } })), DType.Int32, [2, 2], [256, 65536, 9, 27]);
        // tf.add: a Python scalar takes the tensor's dtype; shapes broadcast as NumPy's
        Expect(NF.Add(I(1, 2, 3, 4, 5), 1), DType.Int32, [5], [2, 3, 4, 5, 6]);
        Expect(I(1, 2, 3, 4, 5) + NF.Constant(1), DType.Int32, [5], [2, 3, 4, 5, 6]);
        Expect(NF.Add(I(1, 2, 3, 4, 5), I(1, 2, 3, 4, 5)), DType.Int32, [5], [2, 4, 6, 8, 10]);
        Assert.Equal([2, 2, 3, 3], NF.Add(NF.Ones([1, 2, 1, 3], DType.Float64), NF.Ones([2, 1, 3, 1], DType.Float64)).Shape.ToArray());
        Assert.Equal([1, 2, 3, 4], NF.Add(NF.Ones([1, 2, 1, 4], DType.Float64), NF.Ones([3, 4], DType.Float64)).Shape.ToArray());
        // tf.cast: truncation toward zero; float64 -> float32
        Expect(NF.Cast(F(1.8f, 2.2f), DType.Int32), DType.Int32, [2], [1, 2]);
        Expect(NF.Cast(NF.Constant(3.14), DType.Float32), DType.Float32, Scalar, [3.14f]);
        Expect(NF.Cast(NF.Constant(1L), DType.Int32), DType.Int32, Scalar, [1]);
        Expect(NF.Cast(NF.Constant(1), DType.Int64), DType.Int64, Scalar, [1]);
    }

    [SkippableFact]
    public void Logical_and_comparison_ops()
    {
        RequireBackend();
        var t = NF.Constant(new[] { true });
        // tf.math.logical_xor
        Expect(NF.LogicalXor(t, NF.Constant(new[] { false })), [1], true);
        Expect(NF.LogicalXor(t, NF.Constant(new[] { false, true, true, false })), [4], true, false, false, true);
        Expect(NF.LogicalXor(NF.Constant(new[] { false, false, true, true }), NF.Constant(new[] { false, true, false, true })), [4], false, true, true, false);
        // tf.math.equal / not_equal
        Expect(NF.Equal(I(2, 4), NF.Constant(2)), [2], true, false);
        Expect(NF.Equal(I(2, 4), I(2, 4)), [2], true, true);
        Expect(NF.NotEqual(I(2, 4), NF.Constant(2)), [2], false, true);
        Expect(NF.NotEqual(I(2, 4), I(2, 4)), [2], false, false);
    }

    [SkippableFact]
    public void Range_takes_the_dtype_of_its_arguments()
    {
        RequireBackend();
        // tf.range
        Expect(NF.Range(3, 18, 3), DType.Int32, [5], [3, 6, 9, 12, 15]);
        Expect(NF.Range(3f, 1f, -0.5f), DType.Float32, [4], [3, 2.5, 2, 1.5]);
        Expect(NF.Range(5), DType.Int32, [5], [0, 1, 2, 3, 4]);
    }

    [SkippableFact]
    public void Sum_mean_and_count_reductions()
    {
        RequireBackend();
        // tf.reduce_sum: int32 stays int32
        var x = NF.Constant(new[,] { { 1, 1, 1 }, { 1, 1, 1 } });
        Expect(NF.ReduceSum(x), DType.Int32, Scalar, [6]);
        Expect(NF.ReduceSum(x, 0), DType.Int32, [3], [2, 2, 2]);
        Expect(NF.ReduceSum(x, 1), DType.Int32, [2], [3, 3]);
        Expect(NF.ReduceSum(x, 1, keepDims: true), DType.Int32, [2, 1], [3, 3]);
        Expect(NF.ReduceSum(x, [0, 1]), DType.Int32, Scalar, [6]);
        // tf.math.count_nonzero (the ```python example): int64 counts
        var c = NF.Constant(new[,] { { 0, 1, 0 }, { 1, 1, 0 } });
        Expect(NF.CountNonzero(c), DType.Int64, Scalar, [3]);
        Expect(NF.CountNonzero(c, 0), DType.Int64, [3], [1, 2, 0]);
        Expect(NF.CountNonzero(c, 1), DType.Int64, [2], [1, 2]);
        Expect(NF.CountNonzero(c, 1, keepDims: true), DType.Int64, [2, 1], [1, 2]);
        // tf.reduce_mean, and its integer mean that stays int32 (truncated)
        var m = NF.Constant(new[,] { { 1f, 1f }, { 2f, 2f } });
        Expect(NF.ReduceMean(m), DType.Float32, Scalar, [1.5]);
        Expect(NF.ReduceMean(m, 0), DType.Float32, [2], [1.5, 1.5]);
        Expect(NF.ReduceMean(m, 1), DType.Float32, [2], [1, 2]);
        Expect(NF.ReduceMean(I(1, 0, 1, 0)), DType.Int32, Scalar, [0]);
        Expect(NF.ReduceMean(F(1, 0, 1, 0)), DType.Float32, Scalar, [0.5]);
    }

    [SkippableFact]
    public void Variance_std_and_prod()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } });
        // tf.math.reduce_variance
        Expect(NF.ReduceVariance(x), DType.Float32, Scalar, [1.25]);
        Expect(NF.ReduceVariance(x, 0), DType.Float32, [2], [1, 1]);
        Expect(NF.ReduceVariance(x, 1), DType.Float32, [2], [0.25, 0.25]);
        // tf.math.reduce_std
        Expect(NF.ReduceStd(x), DType.Float32, Scalar, [1.118034]);
        Expect(NF.ReduceStd(x, 0), DType.Float32, [2], [1, 1]);
        Expect(NF.ReduceStd(x, 1), DType.Float32, [2], [0.5, 0.5]);
        // tf.math.reduce_prod
        Expect(NF.ReduceProd(x), DType.Float32, Scalar, [24]);
        Expect(NF.ReduceProd(x, 0), DType.Float32, [2], [3, 8]);
        Expect(NF.ReduceProd(x, 1), DType.Float32, [2], [2, 12]);
    }

    [SkippableFact]
    public void Min_and_max_propagate_nan_and_keep_dims()
    {
        RequireBackend();
        // tf.reduce_min / tf.reduce_max "Usage example"s: NaN wins, infinities order
        Expect(NF.ReduceMin(I(5, 1, 2, 4)), DType.Int32, Scalar, [1]);
        Expect(NF.ReduceMin(I(-5, -1, -2, -4)), DType.Int32, Scalar, [-5]);
        Expect(NF.ReduceMin(F(4, float.NaN)), DType.Float32, Scalar, [double.NaN]);
        Expect(NF.ReduceMin(F(float.NaN, float.NaN)), DType.Float32, Scalar, [double.NaN]);
        Expect(NF.ReduceMin(F(float.NegativeInfinity, float.PositiveInfinity)), DType.Float32, Scalar, [double.NegativeInfinity]);
        Expect(NF.ReduceMax(I(5, 1, 2, 4)), DType.Int32, Scalar, [5]);
        Expect(NF.ReduceMax(I(-5, -1, -2, -4)), DType.Int32, Scalar, [-1]);
        Expect(NF.ReduceMax(F(4, float.NaN)), DType.Float32, Scalar, [double.NaN]);
        Expect(NF.ReduceMax(F(float.NaN, float.NaN)), DType.Float32, Scalar, [double.NaN]);
        Expect(NF.ReduceMax(F(float.NegativeInfinity, float.PositiveInfinity)), DType.Float32, Scalar, [double.PositiveInfinity]);
        // tf.reduce_min "For example"
        var a = NF.Constant(new[,,] { { { 1, 2 }, { 3, 4 } }, { { 1, 2 }, { 3, 4 } } });
        Expect(NF.ReduceMin(a), DType.Int32, Scalar, [1]);
        var b = NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Expect(NF.ReduceMin(b, 0), DType.Int32, [3], [1, 2, 3]);
        Expect(NF.ReduceMin(b, 1), DType.Int32, [2], [1, 4]);
        Expect(NF.ReduceMin(a, keepDims: true), DType.Int32, [1, 1, 1], [1]);
        Expect(NF.ReduceMin(a, 0, keepDims: true), DType.Int32, [1, 2, 2], [1, 2, 3, 4]);
    }

    [SkippableFact]
    public void All_any_logsumexp_and_trace()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { true, true }, { false, false } });
        // tf.math.reduce_all / reduce_any
        Expect(NF.ReduceAll(x), Scalar, false);
        Expect(NF.ReduceAll(x, 0), [2], false, false);
        Expect(NF.ReduceAll(x, 1), [2], true, false);
        Expect(NF.ReduceAny(x), Scalar, true);
        Expect(NF.ReduceAny(x, 0), [2], true, true);
        Expect(NF.ReduceAny(x, 1), [2], true, false);
        // tf.reduce_logsumexp (the ```python example)
        var z = NF.Zeros([2, 3]);
        Expect(NF.ReduceLogSumExp(z), DType.Float32, Scalar, [Math.Log(6)]);
        Expect(NF.ReduceLogSumExp(z, 0), DType.Float32, [3], [Math.Log(2), Math.Log(2), Math.Log(2)]);
        Expect(NF.ReduceLogSumExp(z, 1), DType.Float32, [2], [Math.Log(3), Math.Log(3)]);
        Expect(NF.ReduceLogSumExp(z, 1, keepDims: true), DType.Float32, [2, 1], [Math.Log(3), Math.Log(3)]);
        // tf.linalg.trace (the ```python example): int32 stays int32, batches over leading axes
        Expect(NF.Trace(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } })), DType.Int32, Scalar, [5]);
        Expect(NF.Trace(NF.Constant(new[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } })), DType.Int32, Scalar, [15]);
        var batch = NF.Constant(new[,,] { { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } }, { { -1, -2, -3 }, { -4, -5, -6 }, { -7, -8, -9 } } });
        Expect(NF.Trace(batch), DType.Int32, [2], [15, -15]);
    }

    [SkippableFact]
    public void Matmul_of_int32_matrices_and_batches()
    {
        RequireBackend();
        // tf.linalg.matmul
        var a = NF.Constant(new[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var b = NF.Constant(new[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        Expect(NF.MatMul(a, b), DType.Int32, [2, 2], [58, 64, 139, 154]);
        var a3 = NF.Constant(Enumerable.Range(1, 12).ToArray(), [2, 2, 3]);
        var b3 = NF.Constant(Enumerable.Range(13, 12).ToArray(), [2, 3, 2]);
        Expect(NF.MatMul(a3, b3), DType.Int32, [2, 2, 2], [94, 100, 229, 244, 508, 532, 697, 730]);
        // d = a @ b @ [[10], [11]]
        Expect(NF.MatMul(NF.MatMul(a3, b3), NF.Constant(new[,] { { 10 }, { 11 } })), DType.Int32, [2, 2, 1],
            [94 * 10 + 100 * 11, 229 * 10 + 244 * 11, 508 * 10 + 532 * 11, 697 * 10 + 730 * 11]);
    }

    [SkippableFact]
    public void Sigmoid_softplus_and_cumsum()
    {
        RequireBackend();
        // tf.math.sigmoid: saturates to exactly 0 and 1 in float32 (the printed 0.0000000e+00 for -100
        // is TF's underflow; any value below 1e-30 prints that way, so compare with an absolute tolerance)
        Expect(NF.Sigmoid(F(0, 1, 50, 100)), DType.Float32, [4], [0.5, 0.7310586, 1, 1]);
        Expect(NF.Sigmoid(F(-100, -50, -1, 0)), DType.Float32, [4], [0, 1.9287499e-22, 0.26894143, 0.5], atol: 1e-30);
        Expect(NF.Sigmoid(F(-128, 0, 128)), DType.Float32, [3], [0, 0.5, 1]);
        // tf.math.softplus(tf.range(0, 2, dtype=tf.float32))
        Expect(NF.Softplus(NF.Range(0f, 2f)), DType.Float32, [2], [0.6931472, 1.3132616]);
        // tf.math.cumsum
        Expect(NF.CumSum(I(2, 4, 6, 8)), DType.Int32, [4], [2, 6, 12, 20]);
        var y = NF.Constant(new[,] { { 2, 4, 6, 8 }, { 1, 3, 5, 7 } });
        Expect(NF.CumSum(y, 0), DType.Int32, [2, 4], [2, 4, 6, 8, 3, 7, 11, 15]);
        Expect(NF.CumSum(y, 1), DType.Int32, [2, 4], [2, 6, 12, 20, 1, 4, 9, 16]);
        Expect(NF.CumSum(I(2, 4, 6, 8), exclusive: true), DType.Int32, [4], [0, 2, 6, 12]);
        Expect(NF.CumSum(I(2, 4, 6, 8), reverse: true), DType.Int32, [4], [20, 18, 14, 8]);
        Expect(NF.CumSum(I(2, 4, 6, 8), exclusive: true, reverse: true), DType.Int32, [4], [18, 14, 8, 0]);
    }

    [SkippableFact]
    public void Rounding_roots_exp_and_acos()
    {
        RequireBackend();
        // tf.round (the ```python example): half to even
        Expect(NF.Round(F(0.9f, 2.5f, 2.3f, 1.5f, -4.5f)), DType.Float32, [5], [1, 2, 2, 2, -4]);
        // tf.math.ceil (a Python list becomes float32)
        Expect(NF.Ceil(F(-1.7f, -1.5f, -0.2f, 0.2f, 1.5f, 1.7f, 2.0f)), DType.Float32, [7], [-1, -1, -0.0, 1, 2, 2, 2]);
        // tf.sqrt: a negative number's root is NaN
        Expect(NF.Sqrt(NF.Constant(new[,] { { 4f }, { 16f } })), DType.Float32, [2, 1], [2, 4]);
        Expect(NF.Sqrt(NF.Constant(new[,] { { -4f }, { 16f } })), DType.Float32, [2, 1], [double.NaN, 4]);
        // tf.math.exp
        Expect(NF.Exp(NF.Constant(2f)), DType.Float32, Scalar, [7.389056]);
        Expect(NF.Exp(F(2, 8)), DType.Float32, [2], [7.389056, 2980.958]);
        // tf.math.rsqrt (the docstring prints 0.707 rounded: 1/sqrt(2) = 0.70710677 in float32)
        Expect(NF.Rsqrt(F(2, 0, -2)), DType.Float32, [3], [0.70710677, double.PositiveInfinity, double.NaN]);
        // tf.math.acos
        Expect(NF.Acos(F(1.0f, -0.5f, 3.4f, 0.2f, 0.0f, -2)), DType.Float32, [6], [0, 2.0943952, double.NaN, 1.3694383, 1.5707964, double.NaN]);
        // tf.floor
        Expect(NF.Floor(F(1.3324f, -1.5f, 5.555f, -2.532f, 0.99f, float.PositiveInfinity)), DType.Float32, [6], [1, -2, 5, -3, 0, double.PositiveInfinity]);
    }

    [SkippableFact]
    public void Unsorted_segment_sum_of_the_module_docstring()
    {
        RequireBackend();
        // math_ops.py's module docstring: tf.math.unsorted_segment_sum(c, [0, 1, 0], num_segments=2)
        var c = NF.Constant(new[,] { { 1, 2, 3, 4 }, { -1, -2, -3, -4 }, { 5, 6, 7, 8 } });
        Expect(NF.UnsortedSegmentSum(c, I(0, 1, 0), 2), DType.Int32, [2, 4], [6, 8, 10, 12, -1, -2, -3, -4]);
    }
}

public sealed class ManagedTfMathDocTests() : TfMathDocTests("managed");
public sealed class NativeCpuTfMathDocTests() : TfMathDocTests("cpu");
public sealed class CudaTfMathDocTests() : TfMathDocTests("cuda");
