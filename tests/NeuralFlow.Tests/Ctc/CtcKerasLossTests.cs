using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Ctc;

/// <summary>
/// Losses.CTC (keras.losses.CTC) on every engine: Keras' conventions (label length = non-zero
/// labels, every time step counts, 0 is the blank), lookup by name, config round trip, a tiny
/// Compile/Fit that lowers it, and Save/Load of a model compiled with it.
/// </summary>
public abstract class CtcKerasLossTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Per_example_values_follow_keras_conventions()
    {
        RequireBackend();
        using var logits = NF.Constant(CtcLossTests.Logits(3, 5, 4, 0.3), [3, 5, 4]);
        // Float labels (as Fit may hand them) padded with 0; the lengths are the non-zero counts.
        using var yTrue = NF.Constant(new[,] { { 1f, 3f, 0f }, { 2f, 2f, 1f }, { 0f, 0f, 0f } });
        var expected = NF.CtcLoss(NF.Constant(new[,] { { 1, 3, 0 }, { 2, 2, 1 }, { 0, 0, 0 } }), logits,
            NF.Constant(new[] { 2, 3, 0 }), NF.Constant(new[] { 5, 5, 5 })).ToDoubleArray();
        AssertClose(expected, Losses.CTC.PerExample(yTrue, logits).ToDoubleArray(), 1e-12, 1e-12, "per example");
        var loss = new Losses.CTC();
        Assert.Equal(expected.Average(), loss.Call(yTrue, logits).Item<double>(), 12);
        Assert.Equal(expected.Sum(), new Losses.CTC("sum").Call(yTrue, logits).Item<double>(), 12);
        Assert.Equal("ctc", loss.Name);
        Assert.IsType<Losses.CTC>(Losses.Get("ctc"));
        Assert.IsType<Losses.CTC>(Losses.Get("CTC"));
        var restored = Losses.FromConfig("CTC", System.Text.Json.Nodes.JsonNode.Parse("{\"reduction\": \"sum\"}")!.AsObject());
        Assert.Equal("sum", Assert.IsType<Losses.CTC>(restored).Reduction);
        Assert.Contains("yTrue must hold integer labels [batch, maxLength]",
            Assert.Throws<ArgumentException>(() => Losses.CTC.PerExample(NF.Zeros(new Shape(3)), logits)).Message);
        Assert.Contains("yPred must hold logits [batch, time, classes]",
            Assert.Throws<ArgumentException>(() => Losses.CTC.PerExample(yTrue, NF.Zeros(new Shape(3, 5)))).Message);
    }

    // A toy sequence task: 8 steps of 3 features whose labels (1..3, padded with 0) a per-step Dense can learn.
    private static (Tensor X, Tensor Y) Sequences()
    {
        const int n = 32, steps = 8;
        var x = new float[n * steps * 3];
        var y = new float[n * 2];
        var random = new Random(3);
        for (int i = 0; i < n; i++)
        {
            int first = 1 + random.Next(3), second = 1 + random.Next(3);
            int length = first == second ? 1 : 2;   // a repeat would need a blank step; keep it to one label
            y[i * 2] = first;
            if (length == 2) y[i * 2 + 1] = second;
            for (int t = 0; t < steps; t++)
            {
                int label = t is >= 1 and <= 3 ? first : t is >= 4 and <= 6 && length == 2 ? second : 0;
                for (int f = 0; f < 3; f++) x[(i * steps + t) * 3 + f] = (label == f + 1 ? 1f : 0f) + 0.1f * (float)random.NextDouble();
            }
        }
        return (NF.Constant(x, [n, steps, 3]), NF.Constant(y, [n, 2]));
    }

    [SkippableFact]
    public void Fit_lowers_the_loss_and_the_model_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var (x, y) = Sequences();
        var model = new Sequential(new Layers.InputLayer([8, 3]), new Layers.Dense(8, activation: "tanh"), new Layers.Dense(4));
        model.Compile(new Optimizers.Adam(0.05f), new Losses.CTC());
        var history = model.Fit(x, y, batchSize: 8, epochs: 15, verbose: 0);
        var losses = history["loss"];
        Assert.True(losses[^1] < 0.5f * losses[0], $"CTC loss fell from {losses[0]} to {losses[^1]} only");
        // The trained model decodes the labels greedily.
        var (decoded, _) = NF.CtcDecode(model.Predict(x), NF.Fill(new Shape(32), 8, DType.Int32));
        var labels = decoded.ToArray<int>();
        var targets = y.ToArray<float>();
        int right = Enumerable.Range(0, 32).Count(i => labels[i * 8] == (int)targets[i * 2] && labels[i * 8 + 1] == (targets[i * 2 + 1] == 0 ? -1 : (int)targets[i * 2 + 1]));
        Assert.True(right >= 28, $"{right} of 32 sequences decoded right");

        string path = Temp.File("ctc.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.IsType<Losses.CTC>(loaded.Loss);
        Assert.Equal(model.Loss!.GetConfig(), loaded.Loss!.GetConfig());
        Assert.Equal(model.Evaluate(x, y).Loss, loaded.Evaluate(x, y).Loss, 5);
    }
}

public sealed class ManagedCtcKerasLossTests() : CtcKerasLossTests("managed");

public sealed class NativeCpuCtcKerasLossTests() : CtcKerasLossTests("cpu");

public sealed class CudaCtcKerasLossTests() : CtcKerasLossTests("cuda");
