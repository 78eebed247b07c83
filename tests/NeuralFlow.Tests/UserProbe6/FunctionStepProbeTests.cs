using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// A user's custom training loop compiled with NF.Function as tf.function: the step builds an
/// unbuilt model and Adam's slots on its first call (variables created inside), returns a
/// (loss, accuracy) tuple, meets a smaller last batch (a new shape: one retrace), and counts its
/// C# side effects at trace time only; every number equals the eager loop's.
/// </summary>
public abstract class FunctionStepProbeTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y)[] Batches()
    {
        NF.Random.SetSeed(31);
        var x = NF.Random.Normal([22, 4]);
        var y = NF.Random.Uniform([22], 0, 3, DType.Int32);
        // 8, 8 and a last batch of 6, twice: the epoch loop of a user.
        var batches = new List<(Tensor, Tensor)>();
        for (int epoch = 0; epoch < 2; epoch++)
            for (int start = 0; start < 22; start += 8)
            {
                int size = Math.Min(8, 22 - start);
                batches.Add((NF.Slice(x, [start, 0], [size, 4]), NF.Slice(y, [start], [size])));
            }
        return [.. batches];
    }

    private static (float[] Losses, float[] Accuracies, float[][] Weights, int Traces) Train(bool compiled)
    {
        NF.Random.SetSeed(5);
        var model = new Sequential(new Layers.Dense(8, activation: "relu"), new Layers.Dense(3));
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var optimizer = new Optimizers.Adam(0.02);
        int traces = 0;
        Func<Tensor, Tensor, (Tensor, Tensor)> step = (x, y) =>
        {
            traces++;
            using var tape = new GradientTape();
            Tensor logits, value;
            using (Layer.TrainingMode())
            {
                logits = model.Call(x);
                value = loss.Call(y, logits);
            }
            var weights = model.TrainableVariables;
            optimizer.ApplyGradients(tape.Gradient(value, weights), weights);
            var hits = NF.Cast(NF.Equal(NF.Cast(NF.ArgMax(logits, -1), DType.Int32), y), DType.Float32);
            return (value, NF.ReduceMean(hits));
        };
        var run = compiled ? NF.Function(step) : step;
        var losses = new List<float>();
        var accuracies = new List<float>();
        foreach (var (x, y) in Batches())
        {
            var (l, a) = run(x, y);
            losses.Add(l.Item<float>());
            accuracies.Add(a.Item<float>());
        }
        return ([.. losses], [.. accuracies], model.Variables.Select(v => v.ToArray<float>()).ToArray(), traces);
    }

    [SkippableFact]
    public void A_compiled_tuple_step_matches_the_eager_loop_and_traces_per_shape()
    {
        RequireBackend();
        var eager = Train(compiled: false);
        var traced = Train(compiled: true);
        Assert.Equal(eager.Losses, traced.Losses);
        Assert.Equal(eager.Accuracies, traced.Accuracies);
        for (int i = 0; i < eager.Weights.Length; i++) Assert.Equal(eager.Weights[i], traced.Weights[i]);
        Assert.Equal(6, eager.Traces);
        // The first call creates the weights and slots (traced again on its next call), then one
        // trace per shape: [8, 4] and [6, 4].
        Assert.InRange(traced.Traces, 2, 3);
    }
}

public sealed class ManagedFunctionStepProbeTests() : FunctionStepProbeTests("managed");

public sealed class NativeCpuFunctionStepProbeTests() : FunctionStepProbeTests("cpu");

public sealed class CudaFunctionStepProbeTests() : FunctionStepProbeTests("cuda");
