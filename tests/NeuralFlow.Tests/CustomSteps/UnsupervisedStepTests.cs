using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.CustomSteps;

/// <summary>
/// Keras' VAE example in C#: a subclassed model (encoder and decoder as fields, no Call) whose
/// TrainStep samples with NF.Random and adds a KL term, trained by <c>Fit(x)</c> without targets,
/// from tensors and from a dataset of inputs alone. Before, Fit required y and a compiled loss.
/// </summary>
public abstract class UnsupervisedStepTests(string backend) : BackendTest(backend)
{
    private sealed class Vae : Model
    {
        private readonly Sequential _encoder = new(new Layers.Dense(6, activation: "relu"), new Layers.Dense(4));   // mean and log-variance of 2 latents
        private readonly Sequential _decoder = new(new Layers.Dense(6, activation: "relu"), new Layers.Dense(8));
        private readonly Metrics.Mean _total = new("loss"), _reconstruction = new("reconstruction_loss"), _kl = new("kl_loss");

        protected override StepLogs TrainStep(StepData data)
        {
            var x = data.X;
            Assert.Empty(data.Targets);
            Tensor total, reconstruction, kl;
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                var stats = _encoder.Call(x, training: true);
                var (mean, logVar) = (stats[.., ..2], stats[.., 2..]);
                var z = mean + NF.Exp(0.5f * logVar) * NF.Random.Normal(mean.Shape);
                reconstruction = NF.ReduceMean(NF.ReduceSum(NF.Square(x - _decoder.Call(z, training: true)), axis: 1));
                kl = NF.ReduceMean(NF.ReduceSum(-0.5f * (1 + logVar - NF.Square(mean) - NF.Exp(logVar)), axis: 1));
                total = reconstruction + kl;
                grads = tape.Gradient(total, TrainableVariables);
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            _total.UpdateState(total);
            _reconstruction.UpdateState(reconstruction);
            _kl.UpdateState(kl);
            return GetMetricsResult();
        }

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [_total, _reconstruction, _kl];
    }

    private static Tensor Data()
    {
        NF.Random.SetSeed(11);
        var latent = NF.Random.Normal([64, 2]);
        return NF.Tanh(NF.MatMul(latent, NF.Random.Normal([2, 8])));
    }

    private static History Train(Tensor x, bool eager, bool fromDataset = false) => Train(x, eager, fromDataset, out _);

    private static History Train(Tensor x, bool eager, bool fromDataset, out Model model)
    {
        NF.Random.SetSeed(5);
        var vae = new Vae();
        model = vae;
        vae.Compile(new Optimizers.Adam(0.01f), runEagerly: eager);
        return fromDataset
            ? vae.Fit(Dataset.FromTensorSlices(x).Batch(16), epochs: 4, verbose: 0)
            : vae.Fit(x, batchSize: 16, epochs: 4, verbose: 0, shuffle: false);
    }

    [SkippableFact]
    public void A_vae_trains_on_inputs_alone_and_its_replayed_step_draws_as_the_eager_one()
    {
        RequireBackend();
        var x = Data();
        var replayed = Train(x, eager: false, fromDataset: false, out var traced);
        var eager = Train(x, eager: true);
        Assert.True(traced.TrainFunction!.ReplayCount >= 10, $"replays: {traced.TrainFunction.ReplayCount}");
        Assert.Empty(traced.TrainFunction.Warnings);
        Assert.Equal(["kl_loss", "loss", "reconstruction_loss"], replayed.Keys.OrderBy(k => k, StringComparer.Ordinal));
        // Fresh normal draws at every replay, as many as the eager steps drew: the same numbers.
        foreach (var key in replayed.Keys)
            for (int e = 0; e < 4; e++)
                Assert.Equal(eager[key][e], replayed[key][e], 5);
        Assert.True(replayed["loss"][3] < replayed["loss"][0], $"the loss fell: {string.Join(", ", replayed["loss"])}");
        Assert.Equal(replayed["reconstruction_loss"][2] + replayed["kl_loss"][2], replayed["loss"][2], 4);
        // A dataset of inputs alone trains the same way.
        var fromDataset = Train(x, eager: false, fromDataset: true);
        Assert.Equal(replayed["loss"][3], fromDataset["loss"][3], 5);
    }

    // A model of two named inputs whose step reconstructs one from the other, fed a dataset of dictionaries alone.
    private sealed class NamedAutoencoder(KerasTensor[] inputs, KerasTensor output) : Model(inputs, output)
    {
        public new readonly Metrics.Mean Loss = new("loss");

        protected override StepLogs TrainStep(StepData data)
        {
            Assert.Empty(data.Targets);
            using var tape = new GradientTape();
            var loss = NF.ReduceMean(NF.Square(CallOutputs(data.Inputs)[0] - data.Inputs[1]));
            Optimizer!.ApplyGradients(tape.Gradient(loss, TrainableVariables), TrainableVariables);
            Loss.UpdateState(loss);
            return new StepLogs { { "loss", Loss } };
        }

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => [Loss];
    }

    [SkippableFact]
    public void A_dataset_of_named_inputs_alone_feeds_an_overridden_step_by_name()
    {
        RequireBackend();
        var x = Data();
        var a = Layers.Input([8], name: "a");
        var b = Layers.Input([8], name: "b");
        NF.Random.SetSeed(2);
        var model = new NamedAutoencoder([a, b], new Layers.Dense(8).Call(new Layers.Concatenate().Call([a, b])));
        model.Compile(new Optimizers.SGD(0.05f));
        // Keys in another order than the inputs: matched by name ("b" is the target copy, scaled).
        var features = new Dictionary<string, Tensor> { ["b"] = x * 0.5f, ["a"] = x };
        var history = model.Fit(Dataset.FromTensorSlices(features).Batch(16), epochs: 3, verbose: 0);
        Assert.True(history["loss"][2] < history["loss"][0], string.Join(", ", history["loss"]));
    }

    [SkippableFact]
    public void Fit_without_targets_names_what_is_missing_for_a_standard_model()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(1));
        model.Compile(new Optimizers.SGD(0.1f), new Losses.MeanSquaredError());
        var e = Assert.Throws<ArgumentException>(() => model.Fit(NF.Ones([4, 2]), epochs: 1, verbose: 0));
        Assert.Contains("y (the targets) is missing", e.Message);
        Assert.Throws<ArgumentException>(() => model.Evaluate(NF.Ones([4, 2])));
        var d = Assert.Throws<ArgumentException>(() => model.Fit(Dataset.FromTensorSlices(NF.Ones([4, 2])).Batch(2), verbose: 0));
        Assert.Contains("need 2 tensors", d.Message);
    }
}

public sealed class ManagedUnsupervisedStepTests() : UnsupervisedStepTests("managed");

public sealed class NativeCpuUnsupervisedStepTests() : UnsupervisedStepTests("cpu");

public sealed class CudaUnsupervisedStepTests() : UnsupervisedStepTests("cuda");
