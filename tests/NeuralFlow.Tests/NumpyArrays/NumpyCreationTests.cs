using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NumpyArrays;

/// <summary>
/// NumPy's structured arrays, log-spaced ranges and symmetric windows (tri, diagflat, vander,
/// logspace, geomspace, bartlett, blackman, hamming, hanning, kaiser) on every engine:
/// numpy_arrays_references.py's values and the Keras docstrings', dtypes, Vander's gradient, and
/// the exceptions for bad arguments.
/// </summary>
public abstract class NumpyCreationTests(string backend) : BackendTest(backend)
{
    private static double[] Doubles(Tensor t) => t.DType == DType.Float64 ? t.ToArray<double>() : t.ToArray<float>().Select(v => (double)v).ToArray();

    [SkippableFact]
    public void Tri_diagflat_and_vander_match_numpy()
    {
        RequireBackend();
        using var t = NF.Tri(3, 5, 2, DType.Int32);
        Assert.Equal(new Shape(3, 5), t.Shape);
        Assert.Equal(new[] { 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1 }, t.ToArray<int>());
        using var below = NF.Tri(3, 5, -1);
        Assert.Equal(DType.Float32, below.DType);
        Assert.Equal(new[] { 0f, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0 }, below.ToArray<float>());
        Assert.Equal(new[] { 1.0, 0, 1, 1 }, NF.Tri(2, dtype: DType.Float64).ToArray<double>());
        Assert.Equal(new Shape(0, 3), NF.Tri(0, 3).Shape);
        using var d = NF.Diagflat(NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }));
        Assert.Equal(new Shape(4, 4), d.Shape);
        Assert.Equal(new[] { 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4 }, d.ToArray<int>());
        Assert.Equal(new[] { 0, 1, 0, 0, 0, 2, 0, 0, 0 }, NF.Diagflat(NF.Constant(new[] { 1, 2 }), 1).ToArray<int>());
        // keras.ops.vander's docstring: [1, 2, 3, 5] gives int powers, highest first.
        using var v = NF.Vander(NF.Constant(new[] { 1, 2, 3, 5 }));
        Assert.Equal(DType.Int32, v.DType);
        Assert.Equal(new[] { 1, 1, 1, 1, 8, 4, 2, 1, 27, 9, 3, 1, 125, 25, 5, 1 }, v.ToArray<int>());
        using var inc = NF.Vander(NF.Constant(new[] { 1.0, 2, 3, 5 }), 3, increasing: true);
        Assert.Equal(new[] { 1.0, 1, 1, 1, 2, 4, 1, 3, 9, 1, 5, 25 }, inc.ToArray<double>());
        Assert.Equal(new Shape(4, 0), NF.Vander(NF.Constant(new[] { 1.0, 2, 3, 5 }), 0).Shape);
    }

    [SkippableFact]
    public void Logspace_and_geomspace_match_numpy()
    {
        RequireBackend();
        AssertClose([100.0, 215.44346900318843, 464.15888336127773, 1000.0], NF.Logspace(2, 3, 4, dtype: DType.Float64).ToArray<double>(), 1e-15, 0, "logspace");
        AssertClose([100.0, 177.82794100389228, 316.2277660168379, 562.341325190349], NF.Logspace(2, 3, 4, endpoint: false, dtype: DType.Float64).ToArray<double>(), 1e-15, 0, "no endpoint");
        AssertClose([4.0, 5.039684199579493, 6.349604207872797, 8.0], NF.Logspace(2, 3, 4, @base: 2, dtype: DType.Float64).ToArray<double>(), 1e-15, 0, "base 2");
        using var f = NF.Logspace(0, 2, 3);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(new[] { 1f, 10f, 100f }, f.ToArray<float>());
        Assert.Equal(new Shape(0), NF.Logspace(0, 1, 0).Shape);
        Assert.Equal(new[] { 1.0, 10, 100, 1000 }, NF.Geomspace(1, 1000, 4, dtype: DType.Float64).ToArray<double>());
        AssertClose([1.0, 10, 100], NF.Geomspace(1, 1000, 3, endpoint: false, dtype: DType.Float64).ToArray<double>(), 1e-15, 0, "geomspace no endpoint");
        Assert.Equal(new[] { -1000.0, -100, -10, -1 }, NF.Geomspace(-1000, -1, 4, dtype: DType.Float64).ToArray<double>());
        AssertClose([1.0, 2.0, 4.0, 7.999999999999999, 16.0, 32.00000000000001, 63.999999999999986, 127.99999999999999, 256.0],
            NF.Geomspace(1, 256, 9, dtype: DType.Float64).ToArray<double>(), 1e-15, 0, "geomspace 256");
    }

    [SkippableFact]
    public void Windows_match_numpy_and_keras()
    {
        RequireBackend();
        // keras.ops' docstrings (M = 5, float32): bartlett and hanning [0, .5, 1, .5, 0], hamming
        // [.08, .54, 1, .54, .08], kaiser(beta 14) and blackman as printed; numpy_arrays_references.py beyond them.
        using var b = NF.Bartlett(5);
        Assert.Equal(DType.Float32, b.DType);
        Assert.Equal(new[] { 0f, 0.5f, 1f, 0.5f, 0f }, b.ToArray<float>());
        Assert.Equal(new[] { 0f, 0.5f, 1f, 0.5f, 0f }, NF.Hanning(5).ToArray<float>());
        AssertClose([0.08, 0.54, 1, 0.54, 0.08], Doubles(NF.Hamming(5)), 1e-7, 0, "hamming float32");
        AssertClose([7.7268669e-06, 1.6493219e-01, 1, 1.6493219e-01, 7.7268669e-06], Doubles(NF.Kaiser(5, 14)), 1e-7, 0, "kaiser float32");
        AssertClose([-1.4901161e-08, 0.34, 1, 0.34, -1.4901161e-08], Doubles(NF.Blackman(5)), 1e-7, 1e-7, "blackman float32");
        const DType f64 = DType.Float64;
        AssertClose([0.0, 0.4, 0.8, 0.8, 0.4, 0.0], Doubles(NF.Bartlett(6, f64)), 1e-15, 1e-16, "bartlett 6");
        AssertClose([-1.3877787807814457e-17, 0.2007701432625305, 0.8492298567374695, 0.8492298567374695, 0.2007701432625305, -1.3877787807814457e-17],
            Doubles(NF.Blackman(6, f64)), 1e-15, 1e-16, "blackman 6");
        AssertClose([0.08000000000000002, 0.3978521825875242, 0.912147817412476, 0.912147817412476, 0.3978521825875242, 0.08000000000000002],
            Doubles(NF.Hamming(6, f64)), 1e-15, 1e-16, "hamming 6");
        AssertClose([0.0, 0.3454915028125263, 0.9045084971874737, 0.9045084971874737, 0.3454915028125263, 0.0], Doubles(NF.Hanning(6, f64)), 1e-15, 1e-16, "hanning 6");
        AssertClose([7.726866835270368e-06, 0.16493218754795194, 1.0, 0.16493218754795194, 7.726866835270368e-06], Doubles(NF.Kaiser(5, 14, f64)), 1e-14, 0, "kaiser 5");
        AssertClose([0.036710892271286676, 0.4149036392433668, 0.9138124838691999, 0.9138124838691999, 0.4149036392433668, 0.036710892271286676],
            Doubles(NF.Kaiser(6, 5, f64)), 1e-14, 0, "kaiser 6");
        Assert.Equal(new[] { 1.0, 1, 1, 1 }, Doubles(NF.Kaiser(4, 0, f64)));
        foreach (var one in new[] { NF.Bartlett(1), NF.Blackman(1), NF.Hamming(1), NF.Hanning(1), NF.Kaiser(1, 3) })
            Assert.Equal(new[] { 1f }, one.ToArray<float>());
        foreach (var none in new[] { NF.Bartlett(0), NF.Blackman(-2), NF.Hamming(0), NF.Hanning(-1), NF.Kaiser(0, 3) })
            Assert.Equal(new Shape(0), none.Shape);
        // The STFT's periodic Hann window is unchanged by the shared cosine-sum definition.
        AssertClose([0, 0.5, 1, 0.5], Doubles(NF.Signal.HannWindow(4, dtype: f64)), 1e-15, 1e-16, "periodic hann");
    }

    [SkippableFact]
    public void Vander_and_diagflat_gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Vander(t[0]), GradientTests.In([4], 1));
        GradientTests.Check(t => NF.Vander(t[0], 3, increasing: true), GradientTests.In([3], 2, -0.5, 0.5));
        GradientTests.Check(t => NF.Diagflat(t[0], -1), GradientTests.In([2, 2], 3));
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => NF.ReduceSum(NF.Vander(x), 1), [3]);
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        Assert.Contains("n must be at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Tri(-1)).Message);
        Assert.Contains("m must be at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Tri(2, -3)).Message);
        Assert.Contains("1-D", Assert.Throws<ArgumentException>(() => NF.Vander(NF.Zeros(new Shape(2, 2)))).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => NF.Vander(NF.Constant(new[] { true }))).Message);
        Assert.Contains("n must be at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Vander(NF.Constant(new[] { 1.0 }), -1)).Message);
        Assert.Contains("num must be at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Logspace(0, 1, -1)).Message);
        Assert.True(double.IsNaN(NF.Logspace(0, double.NaN, 3, dtype: DType.Float64).ToArray<double>()[2]));   // np.logspace's NaN
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Logspace(0, 1, 3, dtype: DType.Int32)).Message);
        Assert.Contains("zero", Assert.Throws<ArgumentException>(() => NF.Geomspace(0, 10, 3)).Message);
        Assert.Contains("differ in sign", Assert.Throws<ArgumentException>(() => NF.Geomspace(-1, 10, 3)).Message);
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Hanning(4, DType.Int32)).Message);
        Assert.Contains("beta must be finite", Assert.Throws<ArgumentException>(() => NF.Kaiser(4, double.NaN)).Message);
    }
}

/// <summary>The creation tests on the managed engine.</summary>
public sealed class ManagedNumpyCreationTests() : NumpyCreationTests("managed");

/// <summary>The creation tests on the native CPU engine.</summary>
public sealed class NativeCpuNumpyCreationTests() : NumpyCreationTests("cpu");

/// <summary>The creation tests on CUDA.</summary>
public sealed class CudaNumpyCreationTests() : NumpyCreationTests("cuda");
