namespace NeuralFlow.Tests;

/// <summary>The value and gradient pair the PyTorch fixtures hold: f(x) and d sum(f(x) * w) / dx, in float64.</summary>
internal static class TapeReference
{
    public static (double[] Y, double[] Dx) ValueAndGradient(Func<Tensor, Tensor> f, double[] x, double[] w)
    {
        var xt = NF.Constant(x);
        using var tape = new GradientTape();
        tape.Watch(xt);
        using var y = f(xt);
        using var loss = NF.ReduceSum(y * NF.Constant(w));
        using var dx = tape.Gradient(loss, [xt])[0];
        return (y.ToArray<double>(), dx.ToArray<double>());
    }
}
