using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>What the RNN and stateful tests share: a sign-of-the-sum task, and Fit replayed vs eager on twin models.</summary>
internal static class TwinFit
{
    /// <summary>1 where a sequence's values sum above zero, [batch, 1].</summary>
    public static Tensor SignOfSum(Tensor x) => NF.Reshape(NF.Cast(NF.Greater(NF.ReduceSum(x, [1, 2]), 0), DType.Float32), [x.Shape[0], 1]);

    /// <summary>
    /// Fits two models of <paramref name="make"/> from the same weights, one on Fit's replayed steps and
    /// one eagerly (shuffle off), asserts the same losses and weights bit for bit, and returns both and the history.
    /// </summary>
    public static (Sequential Traced, Sequential Eager, History History) Run(Func<Sequential> make, Tensor x, int batchSize, int epochs)
    {
        using var y = SignOfSum(x);
        var traced = make();
        var eager = make();
        eager.SetWeights(traced.GetWeights());
        traced.Compile(new Optimizers.Adam(0.05), loss: "binary_crossentropy");
        eager.Compile(new Optimizers.Adam(0.05), loss: "binary_crossentropy", runEagerly: true);
        var history = traced.Fit(x, y, batchSize: batchSize, epochs: epochs, verbose: 0, shuffle: false);
        var eagerHistory = eager.Fit(x, y, batchSize: batchSize, epochs: epochs, verbose: 0, shuffle: false);
        Assert.Equal(eagerHistory["loss"], history["loss"]);
        var (a, b) = (traced.GetWeights(), eager.GetWeights());
        for (int i = 0; i < a.Count; i++) Assert.Equal(b[i].ToArray<float>(), a[i].ToArray<float>());
        return (traced, eager, history);
    }

    /// <summary>Asserts equal shapes and values within <paramref name="tolerance"/>, naming the first position that differs.</summary>
    public static void Near(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var (e, a) = (expected.ToArray<float>(), actual.ToArray<float>());
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"[{i}]: expected {e[i]}, got {a[i]}");
    }
}
