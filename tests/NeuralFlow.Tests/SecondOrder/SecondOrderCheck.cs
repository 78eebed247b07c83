namespace NeuralFlow.Tests;

/// <summary>
/// A gradient of a gradient (an outer tape over an inner one: gradient penalties, Hessian-vector
/// products) checked against the finite difference of the first gradient, in float64.
/// </summary>
internal static class SecondOrderCheck
{
    internal static double[] Values(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => r.NextDouble() * 2 - 1).ToArray();
    }

    // v . d/dx [ sum(w * d/dx sum(u * f(x))) ]: an outer tape over an inner gradient.
    internal static double[] HessianVector(Func<Tensor, Tensor> f, double[] x0, int[] shape, double[] u, double[] w)
    {
        var x = NF.Constant(x0, shape);
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor g;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            g = inner.Gradient(NF.ReduceSum(f(x) * NF.Constant(u, shape)), x);
        }
        return outer.Gradient(NF.ReduceSum(g * NF.Constant(w, shape)), x).ToArray<double>();
    }

    internal static double[] FirstGradient(Func<Tensor, Tensor> f, double[] x0, int[] shape, double[] u)
    {
        var x = NF.Constant(x0, shape);
        using var tape = new GradientTape();
        tape.Watch(x);
        return tape.Gradient(NF.ReduceSum(f(x) * NF.Constant(u, shape)), x).ToArray<double>();
    }

    /// <summary>A Hessian-vector product (f, x0, shape, u, w) as <see cref="HessianVector"/> computes it.</summary>
    internal delegate double[] HessianVectorProduct(Func<Tensor, Tensor> f, double[] x0, int[] shape, double[] u, double[] w);

    // hessianVector: how the analytic product is taken (default: an outer tape over an inner one).
    internal static void AssertMatchesFiniteDifferences(Func<Tensor, Tensor> f, int[] shape, HessianVectorProduct? hessianVector = null)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        double[] x0 = Values(n, 1), u = Values(n, 2), w = Values(n, 3);
        var analytic = (hessianVector ?? HessianVector)(f, x0, shape, u, w);
        const double h = 1e-5;
        for (int i = 0; i < n; i++)
        {
            var plus = (double[])x0.Clone(); plus[i] += h;
            var minus = (double[])x0.Clone(); minus[i] -= h;
            var gp = FirstGradient(f, plus, shape, u);
            var gm = FirstGradient(f, minus, shape, u);
            double numeric = 0;
            for (int j = 0; j < n; j++) numeric += w[j] * (gp[j] - gm[j]) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"element {i}: finite differences {numeric}, second-order gradient {analytic[i]}");
        }
    }
}
