using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Trains one model twice, with <c>Compile(runEagerly: true)</c> and with its train step replayed, and requires the same
/// history (every key, every epoch), weights, evaluation and predictions bit for bit, the replayed train, test and predict
/// steps having replayed without an eager fallback. 32 training examples (8 go to validation) in batches of 12: a last batch of 8, a second signature.
/// </summary>
internal static class CompiledTwins
{
    public static void AssertSame(string what, Func<Model> make, Action<Model, bool> compile, Tensor x, Tensor y,
                                  Func<Callbacks.Callback[]>? callbacks = null, int epochs = 4)
    {
        var runs = new[] { true, false }.Select(eager =>
        {
            NF.Random.SetSeed(42);
            var model = make();
            compile(model, eager);
            NF.Random.SetSeed(43);
            var history = model.Fit(x, y, batchSize: 12, epochs: epochs, verbose: 0, validationSplit: 0.2, callbacks: callbacks?.Invoke());
            if (!eager)
            {
                var step = model.TrainFunction;
                Assert.True(step is { ReplayCount: > 0 }, $"{what}: the train step never replayed ({step?.EagerReason})");
                Assert.Null(step!.EagerReason);
            }
            var keys = history.Keys.Order().Select(k => k + "=" + string.Join(",", history[k])).ToArray();
            // Evaluate and Predict replay too (batches of 16: a last batch of 8).
            var evaluation = model.Evaluate(x, y, batchSize: 16).Values.Select(p => p.Key + "=" + p.Value);
            var predictions = model.Predict(x, batchSize: 16);
            if (!eager)
                foreach (var f in new[] { model.TestFunction, model.PredictFunction })
                    Assert.True(f is { ReplayCount: > 0, EagerReason: null }, $"{what}: {f?.Name} did not replay ({f?.EagerReason})");
            keys = [.. keys, .. evaluation, "predictions=" + string.Join(",", NF.Cast(predictions, DType.Float32).ToArray<float>())];
            return (History: keys, Weights: model.Variables.Select(v => v.ToArray<float>()).ToArray());
        }).ToArray();
        Assert.Equal(runs[0].History, runs[1].History);
        Assert.Equal(runs[0].Weights.Length, runs[1].Weights.Length);
        for (int i = 0; i < runs[0].Weights.Length; i++)
            Assert.True(runs[0].Weights[i].AsSpan().SequenceEqual(runs[1].Weights[i]),
                $"{what}: variable {i} differs: eager {string.Join(",", runs[0].Weights[i].Take(4))} replayed {string.Join(",", runs[1].Weights[i].Take(4))}");
    }
}
