namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// NF.Linspace and NF.Logspace with NaN or infinite ends give np.linspace's IEEE values, as their tensor overloads
/// already did on the device; the C# number overloads refused them before ("start and stop must be finite"), so
/// the two forms of one call disagreed. num = 1 gives [start] (tf.linspace's rule; NumPy's 0 * inf makes it NaN)
/// and num = 0 an empty vector. Values from leftovers_references.py (numpy).
/// </summary>
public abstract class LeftoversLinspaceTests(string backend) : BackendTest(backend)
{
    private const double Inf = double.PositiveInfinity, NaN = double.NaN;

    [SkippableFact]
    public void Non_finite_ends_give_numpys_values_in_both_forms()
    {
        RequireBackend();
        foreach (var (start, stop, num, expected) in new (double, double, int, double[])[]
        {
            (0, Inf, 5, [NaN, Inf, Inf, Inf, Inf]),    // np.linspace(0, np.inf, 5)
            (NaN, 1, 3, [NaN, NaN, 1]),                 // np.linspace(np.nan, 1, 3)
            (-Inf, Inf, 3, [NaN, NaN, Inf]),            // np.linspace(-np.inf, np.inf, 3)
            (1, Inf, 1, [1]),                           // tf.linspace's num = 1 rule
            (0, 1, 0, []),
        })
        {
            Assert.Equal(expected, NF.Linspace(start, stop, num, DType.Float64).ToArray<double>());
            Assert.Equal(expected, NF.Linspace(NF.Constant(start), NF.Constant(stop), num).ToArray<double>());
        }
        Assert.Equal([float.NaN, float.PositiveInfinity, float.PositiveInfinity], NF.Linspace(0, Inf, 3).ToArray<float>());

        // np.logspace(0, np.inf, 3), (np.nan, 1, 3), (-np.inf, 0, 3), (0, 2, 1, endpoint=False).
        Assert.Equal([NaN, Inf, Inf], NF.Logspace(0, Inf, 3, dtype: DType.Float64).ToArray<double>());
        Assert.Equal([NaN, Inf, Inf], NF.Logspace(NF.Constant(0.0), NF.Constant(Inf), 3).ToArray<double>());
        Assert.Equal([NaN, NaN, 10], NF.Logspace(NaN, 1, 3, dtype: DType.Float64).ToArray<double>());
        Assert.Equal([NaN, NaN, 1], NF.Logspace(-Inf, 0, 3, dtype: DType.Float64).ToArray<double>());
        Assert.Equal([1.0], NF.Logspace(0, 2, 1, endpoint: false, dtype: DType.Float64).ToArray<double>());
        Assert.Empty(NF.Logspace(0, 2, 0, dtype: DType.Float64).ToArray<double>());

        // What is still refused: a negative count, and Geomspace's non-finite ends (it compares their signs).
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Linspace(0, 1, -1));
        Assert.Throws<ArgumentException>(() => NF.Geomspace(1, Inf, 3));
    }
}

/// <summary>Linspace edges on the managed backend.</summary>
public sealed class ManagedLeftoversLinspaceTests() : LeftoversLinspaceTests("managed");

/// <summary>Linspace edges on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversLinspaceTests() : LeftoversLinspaceTests("cpu");

/// <summary>Linspace edges on CUDA.</summary>
public sealed class CudaLeftoversLinspaceTests() : LeftoversLinspaceTests("cuda");
