using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.BatchNormalizationTraining, NF.BatchNormalization and NF.LayerNormalization on every
/// backend: values, batch statistics and gradients against PyTorch
/// (Normalization/make_norm_fixtures.py) in float64 and float32, finite differences in float64,
/// large-mean float32 inputs against a double reference, views, and the error messages.
/// </summary>
public abstract class NormalizationTests(string backend) : BackendTest(backend)
{
    public static TheoryData<string> Cases() => new(NormFixtures.All.Select(c => c.Name));

    // Runs a case's op on x (and its parameters, when the case has them) in the given dtype.
    private static Tensor Run(NormCase c, Tensor x, Tensor? gamma, Tensor? beta, Func<double[], Tensor> make) => c.Op switch
    {
        "batch_norm" when c.Training => NF.BatchNormalizationTraining(x, gamma, beta, c.Axis, c.Epsilon).Output,
        "batch_norm" => NF.BatchNormalization(x, make(c.Mean!), make(c.Variance!), gamma, beta, c.Axis, c.Epsilon),
        _ => NF.LayerNormalization(x, gamma, beta, c.Axes, c.Epsilon),
    };

    private static int[] ParamShape(NormCase c) => c.Op == "batch_norm" ? [c.Shape[c.Axis]] : c.ParamShape!;

    private void Check(NormCase c, DType dtype, double tol)
    {
        Tensor Make(double[] v, int[] shape) => dtype == DType.Float64 ? NF.Constant(v, shape) : NF.Constant(v.Select(d => (float)d).ToArray(), shape);
        double[] Read(Tensor t) => dtype == DType.Float64 ? t.ToArray<double>() : t.ToArray<float>().Select(f => (double)f).ToArray();
        var x = Make(c.X, c.Shape);
        var gamma = c.Gamma is null ? null : Make(c.Gamma, ParamShape(c));
        var beta = c.Beta is null ? null : Make(c.Beta, ParamShape(c));
        Tensor[] grads;
        Tensor y;
        using (var tape = new GradientTape())
        {
            Tensor[] watched = gamma is null ? [x] : [x, gamma, beta!];
            foreach (var t in watched) tape.Watch(t);
            y = Run(c, x, gamma, beta, v => Make(v, ParamShape(c)));
            var loss = NF.ReduceSum(y * Make(c.W, c.Shape));
            grads = tape.Gradient(loss, watched);
        }
        Assert.Equal(new Shape(c.Shape), y.Shape);
        Assert.Equal(dtype, y.DType);
        AssertClose(c.Y, Read(y), tol, tol, "y");
        AssertClose(c.Dx, Read(grads[0]), tol, tol, "dx");
        if (gamma is not null)
        {
            AssertClose(c.Dgamma!, Read(grads[1]), tol, tol, "dgamma");
            AssertClose(c.Dbeta!, Read(grads[2]), tol, tol, "dbeta");
        }
        if (c.Op == "batch_norm" && c.Training)
        {
            var (_, mean, variance) = NF.BatchNormalizationTraining(x, gamma, beta, c.Axis, c.Epsilon);
            AssertClose(c.BatchMean!, Read(mean), tol, tol, "batch mean");
            AssertClose(c.BatchVariance!, Read(variance), tol, tol, "batch variance");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_match_pytorch_in_float64(string name)
    {
        RequireBackend();
        var c = NormFixtures.Get(name);
        // A large-mean case (spread 1e-6 of the mean) is ill-conditioned: PyTorch's own float64
        // result is only good to about mean / spread * 2^-53 ~ 1e-9 relative there.
        Check(c, DType.Float64, c.Name.Contains("large_mean") ? 1e-8 : 1e-10);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradients_match_pytorch_in_float32(string name)
    {
        RequireBackend();
        // The large-mean cases hold float32-exact inputs: statistics accumulated in float would miss
        // by far more than 1e-4 there (their spread is 1e-6 of their mean).
        Check(NormFixtures.Get(name), DType.Float32, 1e-4);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        var positive = (int[] s, int seed) => GradientTests.In(s, seed, 0.5, 2);
        GradientTests.Check(t => NF.BatchNormalizationTraining(t[0], t[1], t[2]).Output,
            GradientTests.In([6, 3], 1), GradientTests.In([3], 2), GradientTests.In([3], 3));
        GradientTests.Check(t => NF.BatchNormalizationTraining(t[0], t[1], t[2], axis: 1, epsilon: 1e-5).Output,
            GradientTests.In([2, 3, 4], 4), GradientTests.In([3], 5), GradientTests.In([3], 6));
        GradientTests.Check(t => NF.BatchNormalizationTraining(t[0]).Output, GradientTests.In([2, 2, 3, 2], 7));
        // Inference mode also differentiates the given statistics.
        GradientTests.Check(t => NF.BatchNormalization(t[0], t[1], t[2], t[3], t[4], axis: -1),
            GradientTests.In([4, 2, 3], 8), GradientTests.In([3], 9), positive([3], 10), GradientTests.In([3], 11), GradientTests.In([3], 12));
        GradientTests.Check(t => NF.BatchNormalization(t[0], t[1], t[2], axis: 0), GradientTests.In([3, 4], 13), GradientTests.In([3], 14), positive([3], 15));
        GradientTests.Check(t => NF.LayerNormalization(t[0], t[1], t[2]),
            GradientTests.In([3, 5], 16), GradientTests.In([5], 17), GradientTests.In([5], 18));
        GradientTests.Check(t => NF.LayerNormalization(t[0], t[1], t[2], [0, 2], 1e-5),
            GradientTests.In([2, 3, 4], 19), GradientTests.In([2, 4], 20), GradientTests.In([2, 4], 21));
        GradientTests.Check(t => NF.LayerNormalization(t[0], axes: [-2, -1]), GradientTests.In([2, 3, 2], 22));
        // Through a transposed (non-contiguous) input view.
        GradientTests.Check(t => NF.BatchNormalizationTraining(NF.Transpose(t[0]), t[1]).Output, GradientTests.In([3, 5], 23), GradientTests.In([3], 24));
        GradientTests.Check(t => NF.LayerNormalization(NF.Transpose(t[0]), null, t[1]), GradientTests.In([4, 3], 25), GradientTests.In([4], 26));
    }

    [SkippableFact]
    public void Large_mean_float32_inputs_match_a_double_reference()
    {
        RequireBackend();
        // 4096 x 8 values around 1e4 with a spread of 1e-2: float32 resolves them only to ~1e-3, so
        // a float accumulation of the statistics (sum of squares or running sums) would be off by
        // far more than the variance itself; the kernels accumulate in double.
        const int n = 4096, c = 8;
        var values = RandomValues(n * c, 31, -0.01, 0.01).Select(v => (float)(1e4 + v)).ToArray();
        using var x = NF.Constant(values, [n, c]);
        var (y, mean, variance) = NF.BatchNormalizationTraining(x, epsilon: 1e-6);
        var got = y.ToArray<float>();
        var gotMean = mean.ToArray<float>();
        var gotVariance = variance.ToArray<float>();
        for (int f = 0; f < c; f++)
        {
            double m = 0, v = 0;
            for (int i = 0; i < n; i++) m += values[i * c + f];
            m /= n;
            for (int i = 0; i < n; i++) v += (values[i * c + f] - m) * (values[i * c + f] - m);
            v /= n;
            Assert.True(Math.Abs(gotMean[f] - m) <= 1e-3, $"mean [{f}]: {gotMean[f]} vs {m}"); // float32's spacing at 1e4
            Assert.True(Math.Abs(gotVariance[f] - v) <= 1e-6 * v, $"variance [{f}]: {gotVariance[f]} vs {v}");
            for (int i = 0; i < n; i++)
            {
                double want = (values[i * c + f] - m) / Math.Sqrt(v + 1e-6);
                Assert.True(Math.Abs(got[i * c + f] - want) <= 1e-5 * (1 + Math.Abs(want)), $"y [{i}, {f}]: {got[i * c + f]} vs {want}");
            }
        }
        // Layer norm over rows of the same kind.
        using var rows = NF.Constant(values, [c, n]);
        var ln = NF.LayerNormalization(rows, epsilon: 1e-6).ToArray<float>();
        for (int r = 0; r < c; r++)
        {
            double m = values.Skip(r * n).Take(n).Sum(v => (double)v) / n;
            double v = values.Skip(r * n).Take(n).Sum(t => (t - m) * (t - m)) / n;
            for (int i = 0; i < n; i += 97)
            {
                double want = (values[r * n + i] - m) / Math.Sqrt(v + 1e-6);
                Assert.True(Math.Abs(ln[r * n + i] - want) <= 1e-5 * (1 + Math.Abs(want)), $"layer norm [{r}, {i}]: {ln[r * n + i]} vs {want}");
            }
        }
    }

    [SkippableFact]
    public void Views_give_the_same_values_as_packed_inputs()
    {
        RequireBackend();
        var (v, _) = GradientTests.In([5, 4, 3], 41);
        using var packed = NF.Constant(v.Select(d => (float)d).ToArray(), [5, 4, 3]);
        using var view = NF.Transpose(packed, [1, 0, 2]);
        using var copy = view.Contiguous();
        Assert.Equal(NF.BatchNormalizationTraining(copy, axis: 1).Output.ToArray<float>(), NF.BatchNormalizationTraining(view, axis: 1).Output.ToArray<float>());
        Assert.Equal(NF.LayerNormalization(copy, axes: [0]).ToArray<float>(), NF.LayerNormalization(view, axes: [0]).ToArray<float>());
    }

    [SkippableFact]
    public void Errors_name_the_shapes_and_arguments()
    {
        RequireBackend();
        using var x = NF.Zeros([4, 3]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.BatchNormalizationTraining(x, axis: 2));
        Assert.Contains("Axis 2", e.Message);
        Assert.Contains("(4, 3)", e.Message);
        var a = Assert.Throws<ArgumentException>(() => NF.BatchNormalizationTraining(x, NF.Ones([4])));
        Assert.Contains("gamma", a.Message);
        Assert.Contains("(3,)", a.Message);
        a = Assert.Throws<ArgumentException>(() => NF.BatchNormalization(x, NF.Zeros([3]), NF.Ones([3], DType.Float64)));
        Assert.Contains("variance", a.Message);
        Assert.Contains("float64", a.Message);
        a = Assert.Throws<ArgumentException>(() => NF.LayerNormalization(NF.Zeros([4, 3], DType.Int32)));
        Assert.Contains("LayerNormalization", a.Message);
        Assert.Contains("int32", a.Message);
        a = Assert.Throws<ArgumentException>(() => NF.LayerNormalization(x, axes: [1, -1]));
        Assert.Contains("twice", a.Message);
        a = Assert.Throws<ArgumentException>(() => NF.LayerNormalization(x, NF.Ones([4])));
        Assert.Contains("gamma", a.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.LayerNormalization(x, epsilon: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.BatchNormalizationTraining(x, epsilon: double.NaN));
    }
}

public sealed class ManagedNormalizationTests() : NormalizationTests("managed");

public sealed class NativeCpuNormalizationTests() : NormalizationTests("cpu");

public sealed class CudaNormalizationTests() : NormalizationTests("cuda");

/// <summary>One case of Normalization/norm_fixtures.json.</summary>
public sealed record NormCase(
    string Name, string Op, bool Training, int Axis, int[]? Axes, double Epsilon, bool Affine,
    double[] X, int[] Shape, double[] Y, double[] W, double[] Dx, int[]? ParamShape,
    double[]? Gamma, double[]? Beta, double[]? Dgamma, double[]? Dbeta,
    double[]? Mean, double[]? Variance, double[]? BatchMean, double[]? BatchVariance);

internal static class NormFixtures
{
    public static readonly NormCase[] All = FixtureFile.Cases<NormCase>("Normalization", "norm_fixtures.json");

    public static NormCase Get(string name) => All.Single(c => c.Name == name);
}
