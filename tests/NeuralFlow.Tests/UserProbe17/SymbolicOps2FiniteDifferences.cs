using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>The gradient check of the symbolic-ops suites: the tape's gradient against central differences in float64.</summary>
internal static class SymbolicOps2FiniteDifferences
{
    /// <summary>
    /// d sum(model(x)) / dx from the tape equals central finite differences (step 1e-6) at every
    /// element of the float64 input <paramref name="values"/> of <paramref name="shape"/>, to
    /// <paramref name="tolerance"/> relative (absolute below 1).
    /// </summary>
    public static void AssertGradientMatches(Model model, double[] values, int[] shape, double tolerance)
    {
        var x = NF.Constant(values, shape);
        Tensor gradient;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            gradient = tape.Gradient(NF.ReduceSum(model.Call(x)), x);
        }
        var analytic = gradient.ToArray<double>();
        const double eps = 1e-6;
        for (int i = 0; i < values.Length; i++)
        {
            double At(double delta)
            {
                var shifted = (double[])values.Clone();
                shifted[i] += delta;
                return NF.ReduceSum(model.Call(NF.Constant(shifted, shape))).Item<double>();
            }
            double numeric = (At(eps) - At(-eps)) / (2 * eps);
            Assert.True(Math.Abs(numeric - analytic[i]) < tolerance * Math.Max(1, Math.Abs(numeric)), $"element {i}: tape {analytic[i]}, finite differences {numeric}");
        }
    }
}
