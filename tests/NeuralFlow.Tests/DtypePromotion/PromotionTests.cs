namespace NeuralFlow.Tests.DtypePromotion;

/// <summary>
/// The NumPy-style ops of two tensors (np.average, digitize, searchsorted, isin, hypot,
/// logaddexp2, fmax/fmin, heaviside, where, xlogy, divide_no_nan) take operands of two dtypes
/// as keras.ops and NumPy do, through NF's one promotion rule (Engine.PromotedDType: the wider of
/// bool &lt; uint8 &lt; int32 &lt; int64 &lt; float32 &lt; float64, torch.promote_types for these dtypes).
/// Before, each refused with an error naming an op inside it ("Multiply: dtypes must match" for
/// Average, "LessEqual" for Digitize, "Equal" for IsIn). Values: reference_values.py beside this
/// file (numpy, and torch for int32 with float32, whose float32 result NF and Keras share).
/// </summary>
public abstract class PromotionTests(string backend) : BackendTest(backend)
{
    private static Tensor F32(params float[] v) => NF.Constant(v);
    private static Tensor F64(params double[] v) => NF.Constant(v);
    private static Tensor I32(params int[] v) => NF.Constant(v);

    private static void Is(double[] expected, DType dtype, Tensor actual, double tol = 1e-6)
    {
        Assert.Equal(dtype, actual.DType);
        using var wide = NF.Cast(actual, DType.Float64);   // dtype checked above; values compared in double
        var got = wide.ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(expected[i] - got[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: expected {expected[i]}, got {got[i]}");
    }

    [SkippableFact]
    public void Average_of_float64_data_with_float32_weights_is_float64()
    {
        RequireBackend();
        // np.average(f64 [1, 2, 3], weights=f32 [3, 2, 1]) = 1.6666666666666667 float64
        Is([1.6666666666666667], DType.Float64, NF.Average(F64(1, 2, 3), weights: F32(3, 2, 1)), 1e-15);
        Is([1.6666666666666667], DType.Float64, NF.Average(F32(1, 2, 3), 0, F64(3, 2, 1)), 1e-7);
    }

    [SkippableFact]
    public void Digitize_and_SearchSorted_place_integers_among_float_edges()
    {
        RequireBackend();
        // np.digitize(i32 [0, 1, 2, 3], f32 [0.5, 1.5, 2.5]) = [0, 1, 2, 3]; right=True of [0, 1, 2] in [0, 1, 2]: [0, 1, 2]
        Assert.Equal(new[] { 0, 1, 2, 3 }, NF.Digitize(I32(0, 1, 2, 3), F32(0.5f, 1.5f, 2.5f)).ToArray<int>());
        Assert.Equal(new[] { 0, 1, 2 }, NF.Digitize(I32(0, 1, 2), F32(0, 1, 2), right: true).ToArray<int>());
        // np.searchsorted(f32 [0.5, 1.5, 2.5], i32 [0, 1, 2, 3]) = [0, 1, 2, 3]
        Assert.Equal(new[] { 0, 1, 2, 3 }, NF.SearchSorted(F32(0.5f, 1.5f, 2.5f), I32(0, 1, 2, 3)).ToArray<int>());
    }

    [SkippableFact]
    public void IsIn_compares_integers_with_float_test_values()
    {
        RequireBackend();
        // np.isin(i32 [1, 2, 3], f32 [1, 2.5, 3]) = [True, False, True]
        Assert.Equal(new[] { true, false, true }, NF.IsIn(I32(1, 2, 3), F32(1, 2.5f, 3)).ToArray<bool>());
        Assert.Equal(new[] { false, true, false }, NF.IsIn(I32(1, 2, 3), F32(1, 2.5f, 3), invert: true).ToArray<bool>());
    }

    [SkippableFact]
    public void Smooth_pairs_take_the_wider_dtype()
    {
        RequireBackend();
        // torch.hypot(i32 -> f32 [3, 5], f32 [4, 12]) = [5, 13] float32; np.hypot(f64, f32) is float64
        Is([5, 13], DType.Float32, NF.Hypot(I32(3, 5), F32(4, 12)));
        Is([5, 13], DType.Float64, NF.Hypot(F64(3, 5), F32(4, 12)));
        // np.logaddexp2(f32 [1, 2], f64 [3, 2]) = [3.321928094887362, 3.0] float64
        Is([3.321928094887362, 3.0], DType.Float64, NF.LogAddExp2(F32(1, 2), F64(3, 2)), 1e-12);
    }

    [SkippableFact]
    public void Fmax_Fmin_and_Heaviside_of_int32_and_float32_are_float32()
    {
        RequireBackend();
        // torch.fmax / fmin(i32 [1, 5], f32 [nan, 2.5]) = [1, 5] / [1, 2.5] float32
        Is([1, 5], DType.Float32, NF.Fmax(I32(1, 5), F32(float.NaN, 2.5f)));
        Is([1, 2.5], DType.Float32, NF.Fmin(I32(1, 5), F32(float.NaN, 2.5f)));
        // torch.heaviside(i32 [-1, 0, 2] as f32, f32 [0.5]) = [0, 0.5, 1] float32
        Is([0, 0.5, 1], DType.Float32, NF.Heaviside(I32(-1, 0, 2), F32(0.5f)));
    }

    [SkippableFact]
    public void Safe_math_of_float32_and_float64_is_float64()
    {
        RequireBackend();
        // torch.xlogy(f32 [0, 2], f64 [0, 3]) = [0, 2.1972245773362196] float64
        Is([0, 2.1972245773362196], DType.Float64, NF.Xlogy(F32(0, 2), F64(0, 3)), 1e-12);
        // divide_no_nan(f32 [1, 2], f64 [0, 4]) = [0, 0.5] float64
        Is([0, 0.5], DType.Float64, NF.DivideNoNan(F32(1, 2), F64(0, 4)));
        // Integers are still refused by name, as tf.math.xlogy refuses them.
        Assert.Contains("Xlogy", Assert.Throws<ArgumentException>(() => NF.Xlogy(I32(1), F64(1))).Message);
    }

    [SkippableFact]
    public void Where_branches_of_two_dtypes_promote_and_send_each_its_own_gradient()
    {
        RequireBackend();
        var cond = NF.Constant(new[] { true, false });
        // torch.where([T, F], i32 [1, 2], f32 [0.5, 1.5]) = [1, 1.5] float32
        Is([1, 1.5], DType.Float32, NF.Where(cond, I32(1, 2), F32(0.5f, 1.5f)));
        // torch: d/dx = [1, 0] float32, d/dy = [0, 1] float64 for sum(where([T, F], f32 x, f64 y))
        var x = F32(1, 2);
        var y = F64(0.5, 1.5);
        using var tape = new GradientTape();
        tape.Watch(x);
        tape.Watch(y);
        var o = NF.Where(cond, x, y);
        var grads = tape.Gradient(NF.ReduceSum(o), [x, y]);
        Is([1, 1.5], DType.Float64, o);
        Is([1, 0], DType.Float32, grads[0]!);
        Is([0, 1], DType.Float64, grads[1]!);
    }

    [SkippableFact]
    public void Arithmetic_operators_still_refuse_two_dtypes_by_name()
    {
        RequireBackend();
        // README's rule for the operators (as TensorFlow's): only the NumPy-style ops promote.
        Assert.Contains("float64 and float32", Assert.Throws<ArgumentException>(() => F64(1) * F32(1)).Message);
    }
}

public sealed class ManagedPromotionTests() : PromotionTests("managed");

public sealed class NativeCpuPromotionTests() : PromotionTests("cpu");

public sealed class CudaPromotionTests() : PromotionTests("cuda");
