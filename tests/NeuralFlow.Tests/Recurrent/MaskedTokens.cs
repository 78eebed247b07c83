using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>What the masking tests share: padded token sequences, and Fit replayed vs eager on twin models.</summary>
internal static class MaskedTokens
{
    /// <summary>
    /// Variable-length token sequences (1 to 6 of tokens 1..5, post-padded with 0) labelled by
    /// whether they hold a 5.
    /// </summary>
    public static (Tensor X, Tensor Y) Data(int n, int seed)
    {
        var random = new Random(seed);
        var ids = new int[n * 6];
        var labels = new float[n];
        for (int i = 0; i < n; i++)
        {
            int length = random.Next(1, 7);
            for (int t = 0; t < length; t++) ids[i * 6 + t] = random.Next(1, 6);
            labels[i] = ids.Skip(i * 6).Take(6).Contains(5) ? 1 : 0;
        }
        return (NF.Constant(ids, new Shape(n, 6)), NF.Constant(labels, new Shape(n, 1)));
    }

    /// <summary>
    /// Fits two models of <paramref name="make"/> from the same weights, one on Fit's replayed
    /// steps and one eagerly, and asserts the same losses and weights bit for bit; returns the
    /// replayed one and its history.
    /// </summary>
    public static (Sequential Model, History History) FitReplayedAndEager(Func<Sequential> make, Tensor x, Tensor y, int epochs)
    {
        var traced = make();
        traced.Build([6]);
        var eager = make();
        eager.Build([6]);
        eager.SetWeights(traced.GetWeights());
        traced.Compile(new Optimizers.Adam(0.02), loss: "binary_crossentropy");
        eager.Compile(new Optimizers.Adam(0.02), loss: "binary_crossentropy", runEagerly: true);
        var history = traced.Fit(x, y, batchSize: 16, epochs: epochs, verbose: 0, shuffle: false);
        var eagerHistory = eager.Fit(x, y, batchSize: 16, epochs: epochs, verbose: 0, shuffle: false);
        Assert.Equal(eagerHistory["loss"], history["loss"]);
        var a = traced.GetWeights();
        var b = eager.GetWeights();
        for (int i = 0; i < a.Count; i++) Assert.Equal(b[i].ToArray<float>(), a[i].ToArray<float>());
        return (traced, history);
    }
}
