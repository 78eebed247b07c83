using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// A custom metric holds its state the Keras way, <c>self.add_weight(name="ctp", initializer="zeros")</c> (the
/// "Training &amp; evaluation with the built-in methods" guide's CategoricalTruePositives), and relies on the base
/// class for the rest: Keras 3's default reset_state sets every metric variable back to zero, so the guide's
/// metric counts each epoch (and each Evaluate) afresh without a reset of its own. Before, a metric had no
/// AddWeight; a plain Variable was never reset, checkpointed nor summed over ranks.
/// </summary>
public abstract class MetricAddWeightTests(string backend) : BackendTest(backend)
{
    // The guide's metric, written against AddWeight and without a ResetState override.
    private sealed class CategoricalTruePositives : Metrics.PredictionMetric
    {
        private readonly Variable _truePositives;

        public CategoricalTruePositives() : base("categorical_true_positives") => _truePositives = AddWeight("ctp", initializer: "zeros");

        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            var predicted = NF.Reshape(NF.ArgMax(yPred, axis: 1), [-1]);
            var values = NF.Cast(NF.Equal(NF.Cast(NF.Reshape(yTrue, [-1]), DType.Int32), NF.Cast(predicted, DType.Int32)), DType.Float32);
            if (sampleWeight is not null) values *= NF.Reshape(NF.Cast(sampleWeight, DType.Float32), [-1]);
            _truePositives.AssignAdd(NF.ReduceSum(values));
        }

        public override float Result() => _truePositives.Item<float>();
    }

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(5);
        return (NF.Random.Normal([40, 6]), NF.Cast(NF.Random.Uniform([40], 0, 4, DType.Int32), DType.Float32));
    }

    private static Model CompiledModel(Metrics.Metric metric)
    {
        NF.Random.SetSeed(6);
        var model = new Sequential(Layers.Input([6]), new Layers.Dense(4, activation: "softmax"));
        model.Compile(new Optimizers.SGD(0.0), new Losses.SparseCategoricalCrossentropy(), metrics: [metric]);
        return model;
    }

    private static float Correct(Model model, Tensor x, Tensor y)
    {
        var predicted = NF.ArgMax(model.Predict(x, verbose: 0), axis: 1).ToArray<long>();
        var labels = y.ToArray<float>();
        return predicted.Where((p, i) => p == (long)labels[i]).Count();
    }

    [SkippableFact]
    public void The_guides_metric_counts_each_epoch_and_each_evaluate_afresh()
    {
        RequireBackend();
        var (x, y) = Data();
        var metric = new CategoricalTruePositives();
        var model = CompiledModel(metric);
        float correct = Correct(model, x, y);   // learning rate 0: the predictions stay these
        Assert.InRange(correct, 1, 39);
        var history = model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0);
        Assert.Equal(new[] { correct, correct, correct }, history["categorical_true_positives"]);   // not 1x, 2x, 3x
        Assert.Equal(correct, model.Evaluate(x, y, batchSize: 16, verbose: 0)["categorical_true_positives"]);
        Assert.Equal(correct, model.Evaluate(x, y, batchSize: 16, verbose: 0)["categorical_true_positives"]);
        var state = Assert.Single(metric.Variables);
        Assert.Equal("ctp", state.Name);
        Assert.Equal(DType.Float32, state.DType);
        Assert.False(state.Trainable);
        metric.ResetState();
        Assert.Equal(0f, metric.Result());
    }

    // A state of another shape, dtype and first value: reset_state zeroes it (Keras 3's base reset_state
    // assigns zeros, whatever the initializer was).
    private sealed class ClassCounts : Metrics.PredictionMetric
    {
        public Variable Counts { get; }

        public ClassCounts() : base("class_counts") => Counts = AddWeight("counts", [3], "ones", DType.Int32);

        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) =>
            Counts.AssignAdd(NF.ReduceSum(NF.OneHot(NF.Cast(yTrue, DType.Int32), 3, dtype: DType.Int32), 0));

        public override float Result() => Counts.ToArray<int>().Max();
    }

    [SkippableFact]
    public void A_state_of_any_shape_and_dtype_starts_from_its_initializer_and_resets_to_zero()
    {
        RequireBackend();
        var metric = new ClassCounts();
        Assert.Equal(new[] { 1, 1, 1 }, metric.Counts.ToArray<int>());
        metric.UpdateState(NF.Constant(new[] { 0, 2, 2 }), NF.Zeros([3, 3]));
        Assert.Equal(new[] { 2, 1, 3 }, metric.Counts.ToArray<int>());
        Assert.Equal(3f, metric.Result());
        metric.ResetState();
        Assert.Equal(new[] { 0, 0, 0 }, metric.Counts.ToArray<int>());
        Assert.Throws<ArgumentException>(() => new BoolState());
    }

    private sealed class BoolState : Metrics.PredictionMetric
    {
        public BoolState() : base("bool_state") => AddWeight("flag", dtype: DType.Bool);

        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) { }

        public override float Result() => 0;
    }
}

/// <summary>Metric.AddWeight on the managed backend.</summary>
public sealed class ManagedMetricAddWeightTests() : MetricAddWeightTests("managed");

/// <summary>Metric.AddWeight on the native CPU backend.</summary>
public sealed class NativeCpuMetricAddWeightTests() : MetricAddWeightTests("cpu");

/// <summary>Metric.AddWeight on CUDA.</summary>
public sealed class CudaMetricAddWeightTests() : MetricAddWeightTests("cuda");
