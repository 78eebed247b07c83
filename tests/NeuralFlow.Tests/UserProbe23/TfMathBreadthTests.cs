namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// tf.math functions NeuralFlow lacked, on every backend: Erfcinv (its tail near 0, which erfinv(1 - x) loses), Lbeta,
/// ReciprocalNoNan, Rint, Polyval, CumulativeLogsumexp, ZeroFraction, IsNonDecreasing / IsStrictlyIncreasing and InvertPermutation, against
/// PyTorch 1.13 / NumPy (tf_math_breadth_references.py) or TensorFlow's documented examples, with their gradients where
/// they have one and their refusals.
/// </summary>
public abstract class TfMathBreadthTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Erfcinv_and_lbeta_match_the_references_with_gradients()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1e-20, 0.01, 0.5, 1.0, 1.7, 2.0 - 1e-12, 0.0, 2.0, -0.1 });
        GammaFamilyTests.Near([6.601580622355142, 1.8213863677184496, 0.4769362762044698, 0.0, -0.7328690779592166, -5.042021094113472,
                               double.PositiveInfinity, double.NegativeInfinity, double.NaN], NF.Erfcinv(x).ToArray<double>(), "erfcinv", relative: 1e-12, absolute: 1e-15);
        // erfc(erfcinv(x)) = x, and the gradient is -√π/2 · exp(y²).
        var v = new Variable(NF.Constant(new[] { 0.3, 1.2 }));
        using (var tape = new GradientTape())
        {
            var y = NF.Erfcinv(v);
            GammaFamilyTests.Near([0.3, 1.2], NF.Erfc(y).ToArray<double>(), "erfc(erfcinv)", relative: 1e-14);
            var yv = y.ToArray<double>();
            GammaFamilyTests.Near(yv.Select(t => -Math.Sqrt(Math.PI) / 2 * Math.Exp(t * t)).ToArray(), tape.Gradient(NF.ReduceSum(y), v).ToArray<double>(), "erfcinv'", relative: 1e-12);
        }
        Assert.Equal(DType.Float32, NF.Erfcinv(NF.Constant(new[] { 1 })).DType);

        var a = NF.Constant(new[,] { { 1.0, 2.0, 3.0 }, { 0.5, 0.5, 0.5 }, { 10.0, 0.1, 4.0 } });
        GammaFamilyTests.Near([-4.0943445622221, 1.8378770664093456, -5.966525352564812], NF.Lbeta(a).ToArray<double>(), "lbeta", relative: 1e-13);
        Assert.Equal(new[] { double.NegativeInfinity }, NF.Lbeta(NF.Zeros(new Shape(1, 0), DType.Float64)).ToArray<double>());
        Assert.Throws<ArgumentException>(() => NF.Lbeta(NF.Constant(2.0)));
        GradientTests.Check(t => NF.Lbeta(t[0] + 3), GradientTests.In([2, 3], 51));
    }

    [SkippableFact]
    public void Elementwise_aliases_and_polyval()
    {
        RequireBackend();
        // tf.math.reciprocal_no_nan([2., 0.5, 0., -4.]) is [0.5, 2., 0., -0.25], with a finite gradient at 0.
        var r = new Variable(NF.Constant(new[] { 2f, 0.5f, 0f, -4f }));
        using (var tape = new GradientTape())
        {
            var y = NF.ReciprocalNoNan(r);
            Assert.Equal(new[] { 0.5f, 2f, 0f, -0.25f }, y.ToArray<float>());
            Assert.Equal(new[] { -0.25f, -4f, 0f, -0.0625f }, tape.Gradient(NF.ReduceSum(y), r).ToArray<float>());
        }
        Assert.Throws<ArgumentException>(() => NF.ReciprocalNoNan(NF.Constant(new[] { 1, 0 })));
        // tf.math.rint([-1.7, -1.5, -0.2, 0.2, 1.5, 1.7, 2.0]) is [-2, -2, -0, 0, 2, 2, 2] (halves to even).
        Assert.Equal(new[] { -2f, -2f, -0f, 0f, 2f, 2f, 2f, 2f }, NF.Rint(NF.Constant(new[] { -1.7f, -1.5f, -0.2f, 0.2f, 1.5f, 1.7f, 2.0f, 2.5f })).ToArray<float>());

        // np.polyval([2, -3, 0.5, 7], [-1.5, 0, 2.25]) = [-7.25, 7, 15.71875]; tf.math.polyval takes a list of coefficients.
        var px = NF.Constant(new[] { -1.5, 0.0, 2.25 });
        Assert.Equal(new[] { -7.25, 7.0, 15.71875 }, NF.Polyval([2.0, -3.0, 0.5, 7.0], px).ToArray<double>());
        Assert.Equal(new[] { 4.0, 4.0, 4.0 }, NF.Polyval([4.0], px).ToArray<double>());
        Assert.Equal(new double[3], NF.Polyval([], px).ToArray<double>());
        GradientTests.Check(t => NF.Polyval([t[1], 0.5, t[1] * 2], t[0]), GradientTests.In([3], 52), GradientTests.In([1], 53));
    }

    [SkippableFact]
    public void Cumulative_logsumexp_keeps_elements_far_below_the_maximum()
    {
        RequireBackend();
        // torch.logcumsumexp: -1000 then 0 keeps -1000 (a shift by the line's maximum, 5, would underflow it to -inf).
        var c = NF.Constant(new[,] { { -1000.0, 0.0, -2000.0, 5.0 }, { 1.0, 2.0, 3.0, 4.0 } });
        GammaFamilyTests.Near([-1000.0, 0.0, 0.0, 5.006715348489118, 1.0, 2.313261687518223, 3.4076059644443806, 4.440189698561196],
                              NF.CumulativeLogsumexp(c, 1).ToArray<double>(), "axis 1", relative: 1e-15);
        GammaFamilyTests.Near([5.006715348489118, 5.006715348489118, 5.0, 5.0, 4.440189698561195, 4.40760596444438, 4.313261687518223, 4.0],
                              NF.CumulativeLogsumexp(c, -1, reverse: true).ToArray<double>(), "reverse", relative: 1e-15);
        GammaFamilyTests.Near([-1000.0, 0.0, -2000.0, 5.0, 1.0, 2.1269280110429727, 3.0, 5.313261687518223],
                              NF.CumulativeLogsumexp(c).ToArray<double>(), "axis 0", relative: 1e-15);
        // Exclusive: -inf first (the log of an empty sum), then the inclusive result one place later.
        GammaFamilyTests.Near([double.NegativeInfinity, -1000.0, 0.0, 0.0, double.NegativeInfinity, 1.0, 2.313261687518223, 3.4076059644443806],
                              NF.CumulativeLogsumexp(c, 1, exclusive: true).ToArray<double>(), "exclusive", relative: 1e-15);
        var v = new Variable(c);
        using (var tape = new GradientTape())
        {
            var y = NF.ReduceSum(NF.CumulativeLogsumexp(v, 1) * NF.Reshape(NF.Range(1.0, 9.0, dtype: DType.Float64), [2, 4]));
            GammaFamilyTests.Near([1.0, 5.02677140369714, 0.0, 3.9732285963028606, 7.500331366653313, 6.7966053190998705, 6.551749235143032, 5.151314079103775],
                                  tape.Gradient(y, v).ToArray<double>(), "gradient", relative: 1e-13, absolute: 1e-300);
        }
        GradientTests.Check(t => NF.CumulativeLogsumexp(t[0], 0, exclusive: true, reverse: true)[..^1], GradientTests.In([5, 2], 54));
        Assert.Equal(DType.Float32, NF.CumulativeLogsumexp(NF.Constant(new[] { 1f, 2f, 3f })).DType);
        Assert.Throws<ArgumentException>(() => NF.CumulativeLogsumexp(NF.Constant(new[] { 1, 2 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.CumulativeLogsumexp(c, 2));
    }

    [SkippableFact]
    public void Zero_fraction_monotone_checks_and_invert_permutation()
    {
        RequireBackend();
        var z = NF.ZeroFraction(NF.Constant(new[,] { { 0f, 1f }, { 0f, 0f } }));
        Assert.Equal(DType.Float32, z.DType);
        Assert.Equal(0.75f, z.Item<float>());
        Assert.Equal(0.5f, NF.ZeroFraction(NF.Constant(new[] { 0, 3 })).Item<float>());

        // tf.math.is_non_decreasing([1, 1, 2]) is True, is_strictly_increasing of it False; rows read in order.
        Assert.True(NF.IsNonDecreasing(NF.Constant(new[] { 1, 1, 2 })).Item<bool>());
        Assert.False(NF.IsStrictlyIncreasing(NF.Constant(new[] { 1, 1, 2 })).Item<bool>());
        Assert.True(NF.IsStrictlyIncreasing(NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } })).Item<bool>());
        Assert.False(NF.IsNonDecreasing(NF.Constant(new[,] { { 1f, 2f }, { 1.5f, 4f } })).Item<bool>());
        Assert.False(NF.IsNonDecreasing(NF.Constant(new[] { 1f, float.NaN, 2f })).Item<bool>());
        Assert.True(NF.IsStrictlyIncreasing(NF.Constant(new[] { 5f })).Item<bool>());
        Assert.True(NF.IsNonDecreasing(NF.Zeros(new Shape(0))).Item<bool>());

        // tf.math.invert_permutation([3, 4, 0, 2, 1]) is [2, 4, 3, 0, 1].
        var inv = NF.InvertPermutation(NF.Constant(new[] { 3, 4, 0, 2, 1 }));
        Assert.Equal(DType.Int32, inv.DType);
        Assert.Equal(new[] { 2, 4, 3, 0, 1 }, inv.ToArray<int>());
        Assert.Equal(new[] { 1L, 0L }, NF.InvertPermutation(NF.Constant(new[] { 1L, 0L })).ToArray<long>());
        Assert.Contains("x[2] = 0 is repeated", Assert.Throws<ArgumentException>(() => NF.InvertPermutation(NF.Constant(new[] { 0, 1, 0 }))).Message);
        Assert.Contains("x[1] = 5 is out of range", Assert.Throws<ArgumentException>(() => NF.InvertPermutation(NF.Constant(new[] { 0, 5, 1 }))).Message);
        Assert.Throws<ArgumentException>(() => NF.InvertPermutation(NF.Constant(new[] { 0f, 1f })));
    }
}

/// <summary>The tf.math breadth on the managed backend.</summary>
public sealed class ManagedTfMathBreadthTests() : TfMathBreadthTests("managed");

/// <summary>The tf.math breadth on the native CPU backend.</summary>
public sealed class NativeCpuTfMathBreadthTests() : TfMathBreadthTests("cpu");

/// <summary>The tf.math breadth on CUDA.</summary>
public sealed class CudaTfMathBreadthTests() : TfMathBreadthTests("cuda");
