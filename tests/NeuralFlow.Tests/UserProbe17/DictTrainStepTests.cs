using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe15;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// A subclassed model fed a dictionary of named inputs and overriding TrainStep, TestStep and
/// PredictStep reads the batch by name (<c>data.NamedInputs</c>, Keras' <c>x</c> in
/// <c>train_step</c> being the dictionary as given). Before, the step got the tensors in sorted key
/// order only, and <c>data.X</c> said to read <c>Inputs[i]</c> without naming the keys.
/// </summary>
public abstract class DictTrainStepTests(string backend) : BackendTest(backend)
{
    // The guide's two named inputs, with a hand-written train step as Keras' "customizing fit".
    private sealed class TwoTowerTrainer(bool custom) : Model
    {
        private readonly Layers.Dense _title = new(4, activation: "tanh");
        private readonly Layers.Dense _body = new(4, activation: "tanh");
        private readonly Layers.Dense _head = new(1);
        private readonly Losses.MeanSquaredError _loss = new();
        // Only the custom step has its own tracker: a metric held in a field is one of the model's
        // metrics, and one named "loss" would replace the built-in step's loss in the logs (as in Keras 3).
        private readonly Metrics.Mean? _lossTracker = custom ? new("loss") : null;

        public override IReadOnlyList<Metrics.Metric> TrackedMetrics => custom ? [_lossTracker!] : base.TrackedMetrics;

        public override Tensor Call(IReadOnlyDictionary<string, Tensor> inputs) =>
            _head.Call(NF.Concat([_title.Call(inputs["title"]), _body.Call(inputs["body"])], axis: -1));

        protected override StepLogs TrainStep(StepData data)
        {
            if (!custom) return base.TrainStep(data);
            var inputs = data.NamedInputs ?? throw new InvalidOperationException("no named inputs");
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                var loss = _loss.Call(data.Y, Call(inputs));
                grads = tape.Gradient(loss, TrainableVariables);
                _lossTracker!.UpdateState(loss);
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            return new StepLogs { { "loss", _lossTracker } };
        }

        protected override StepLogs TestStep(StepData data)
        {
            if (!custom) return base.TestStep(data);
            _lossTracker!.UpdateState(_loss.Call(data.Y, Call(data.NamedInputs!)));
            return new StepLogs { { "loss", _lossTracker } };
        }

        protected override IReadOnlyList<Tensor> PredictStep(StepData data) =>
            custom ? [Call(data.NamedInputs!)] : base.PredictStep(data);
    }

    private static (Dictionary<string, Tensor> X, Tensor Y) Data()
    {
        NF.Random.SetSeed(71);
        var title = NF.Random.Normal([32, 3]);
        var body = NF.Random.Normal([32, 5]);
        var y = NF.ReduceSum(title, axis: 1, keepDims: true) - NF.ReduceSum(body, axis: 1, keepDims: true);
        // "title" first: sorted order would put "body" first, so a step reading by position would mix them up.
        return (new Dictionary<string, Tensor> { ["title"] = title, ["body"] = body }, y);
    }

    private static TwoTowerTrainer Trained(bool custom, Dictionary<string, Tensor> x, Tensor y, out History history)
    {
        NF.Random.SetSeed(72);
        var model = new TwoTowerTrainer(custom);
        model.Compile(new Optimizers.SGD(0.05f), "mse");
        history = model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, shuffle: false);
        return model;
    }

    [SkippableFact]
    public void A_custom_train_step_reads_the_dictionary_by_name_and_matches_the_built_in_one()
    {
        RequireBackend();
        var (x, y) = Data();
        var builtIn = Trained(false, x, y, out var expected);
        var custom = Trained(true, x, y, out var actual);
        for (int epoch = 0; epoch < 3; epoch++) Assert.Equal(expected["loss"][epoch], actual["loss"][epoch], 4);
        Assert.True(actual["loss"][2] < actual["loss"][0]);
        Assert.Equal(builtIn.Evaluate(x, y, batchSize: 16).Loss, custom.Evaluate(x, y, batchSize: 16).Loss, 4);
        GuideAssert.Close(builtIn.Predict(x, batchSize: 16), custom.Predict(x, batchSize: 16), 1e-4);
    }

    [SkippableFact]
    public void A_step_given_several_inputs_names_their_keys_when_X_is_read()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = new XReader();
        model.Compile(new Optimizers.SGD(0.05f), "mse");
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0));
        Assert.Contains("NamedInputs[key] (body, title)", e.Message);
    }

    // Reads data.X although it was given two inputs.
    private sealed class XReader : Model
    {
        private readonly Layers.Dense _dense = new(1);

        public override Tensor Call(IReadOnlyDictionary<string, Tensor> inputs) => _dense.Call(inputs["title"]);

        protected override StepLogs TrainStep(StepData data) => new() { { "loss", NF.ReduceMean(_dense.Call(data.X)) } };
    }
}

/// <summary>Named inputs in custom steps, on the managed backend.</summary>
public sealed class ManagedDictTrainStepTests() : DictTrainStepTests("managed");

/// <summary>Named inputs in custom steps, on the native CPU backend.</summary>
public sealed class NativeCpuDictTrainStepTests() : DictTrainStepTests("cpu");

/// <summary>Named inputs in custom steps, on the CUDA backend.</summary>
public sealed class CudaDictTrainStepTests() : DictTrainStepTests("cuda");
