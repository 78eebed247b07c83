using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17's promise "a replayed step gives the same numbers as the eager step, bit for bit":
/// one custom training step (forward in training mode, tape backward, optimizer) run by an eager
/// twin and by NF.Function on the same batches from the same seeds; what each run ends with, for
/// the layer and loss tables (LayerReplayParityTests, LossReplayParityTests) to compare.
/// </summary>
internal static class ReplayParity
{
    public const int Steps = 6; // the first two trace (Adam makes its slots on the first), the rest replay

    /// <summary>Per-step losses, every variable (non-trainable ones too: moving statistics) at the end, and the function's statistics.</summary>
    public sealed record Run(float[] Losses, float[][] Variables, TracedFunction? Function);

    /// <summary>
    /// Trains a fresh <paramref name="make"/>() for <see cref="Steps"/> steps on
    /// <paramref name="batch"/>(step) batches (drawn once, before the model), with Adam, eagerly
    /// or as a replayed NF.Function.
    /// </summary>
    public static Run Train(Func<Model> make, Func<Losses.Loss> loss, Func<int, (Tensor X, Tensor Y)> batch, bool traced)
    {
        NF.Random.SetSeed(41);
        var batches = Enumerable.Range(0, Steps).Select(batch).ToArray();
        NF.Random.SetSeed(42);
        var model = make();
        model.Call(batches[0].X).Dispose(); // builds the weights outside the step, the same way for both runs
        var optimizer = new Optimizers.Adam(0.01);
        var lossFn = loss();
        Func<Tensor, Tensor, Tensor> step = (x, y) =>
        {
            using var tape = new GradientTape();
            Tensor value;
            using (Layer.TrainingMode())
                value = lossFn.Call(y, model.Call(x));
            var weights = model.TrainableVariables;
            optimizer.ApplyGradients(tape.Gradient(value, weights), weights);
            return value;
        };
        var run = traced ? NF.Function(step) : step;
        NF.Random.SetSeed(43); // the same dropout masks for both
        var losses = batches.Select(b => run(b.X, b.Y).ToArray<float>()[0]).ToArray();
        return new(losses, model.Variables.Select(v => v.ToArray<float>()).ToArray(), traced ? TracedFunction.Of(run) : null);
    }

    /// <summary>Asserts that the replayed run replayed and ended with the eager run's bits.</summary>
    public static void AssertSame(string what, Run eager, Run replayed)
    {
        var f = replayed.Function!;
        Assert.True(f.ReplayCount >= Steps - 2, $"{what}: expected replays, got {f.ReplayCount} (traces {f.TraceCount}; eager because: {f.EagerReason})");
        Assert.True(eager.Losses.AsSpan().SequenceEqual(replayed.Losses),
            $"{what}: losses differ: eager [{string.Join(", ", eager.Losses)}] replayed [{string.Join(", ", replayed.Losses)}]");
        Assert.Equal(eager.Variables.Length, replayed.Variables.Length);
        for (int i = 0; i < eager.Variables.Length; i++)
            Assert.True(eager.Variables[i].AsSpan().SequenceEqual(replayed.Variables[i]), $"{what}: variable {i} differs after {Steps} steps");
    }
}
