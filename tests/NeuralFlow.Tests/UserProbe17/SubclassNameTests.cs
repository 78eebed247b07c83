using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// Inside a Layer or Model subclass the simple names <c>Layers</c> and <c>Losses</c> mean both
/// Keras' <c>self.layers</c>/<c>self.losses</c> and the <c>keras.layers</c>/<c>keras.losses</c>
/// classes, as a Keras user writes them side by side. Before, <c>Losses</c> there bound to the
/// inherited property only (<c>Losses.BinaryCrossentropy.PerExample</c>, <c>Losses.Get</c> did not
/// compile), and inside a Sequential subclass <c>Layers.Input</c> did not either; tests wrote
/// the test.
/// </summary>
public class SubclassNameTests
{
    // A custom loop model reading both meanings of Losses in one step, and Layers as its list.
    private sealed class Regularized : Model
    {
        private readonly Layers.Dense _hidden = new(4, activation: "relu", kernelRegularizer: new Regularizers.L2(0.01));
        private readonly Layers.Dense _out = new(1, activation: "sigmoid");

        public override Tensor Call(Tensor x) => _out.Call(_hidden.Call(x));

        public static KerasTensor Inputs() => Layers.Input([3]);

        public int LayerCount => Layers.Count;

        public Tensor StepLoss(Tensor x, Tensor y) =>
            NF.ReduceMean(Losses.BinaryCrossentropy.PerExample(y, Call(x))) + NF.AddN([.. Losses]);

        public Losses.Loss Named(string name) => Losses.Get(name);

        public Layer First => Layers[0];

        public Metrics.PredictionMetric MetricNamed(string name) => Metrics.Get(name);

        public IReadOnlyList<string> MetricNames => Metrics.Select(m => m.Name).ToList();
    }

    // A Sequential subclass giving its input through Layers.Input in its constructor.
    private sealed class Stack() : Sequential(Layers.Input([3]), new Layers.Dense(2))
    {
        public Layer Last => Layers[^1];
        public int Depth => Layers.Count;
    }

    // A layer adding a penalty and reading its own Losses next to a loss function of Keras'.
    private sealed class Penalized : Layer
    {
        public override Tensor Call(Tensor x)
        {
            AddLoss(NF.ReduceMean(Losses.MeanSquaredError.PerExample(x, NF.ZerosLike(x))));
            return x;
        }

        public int PenaltyCount => Losses.Count;
    }

    private static readonly Tensor X = NF.Constant(new float[,] { { 1, 2, 3 }, { -1, 0, 2 } });
    private static readonly Tensor Y = NF.Constant(new float[,] { { 1 }, { 0 } });

    [Fact]
    public void A_model_subclass_reads_its_losses_and_calls_the_loss_classes()
    {
        var model = new Regularized();
        var loss = model.StepLoss(X, Y);
        Assert.Single(model.Losses);
        Assert.Equal(2, model.LayerCount);
        Assert.Same(model.Layers[0], model.First);
        var expected = NF.ReduceMean(Keras.Losses.BinaryCrossentropy.PerExample(Y, model.Call(X))) + model.Losses[0];
        Assert.Equal(expected.ToArray<float>()[0], loss.ToArray<float>()[0], 6);
        Assert.IsType<Keras.Losses.MeanSquaredError>(model.Named("mse"));
        Assert.Equal(new int?[] { null, 3 }, Regularized.Inputs().Shape);
    }

    [Fact]
    public void A_sequential_subclass_takes_its_input_from_Layers_Input()
    {
        var stack = new Stack();
        Assert.Equal(1, stack.Depth);
        Assert.IsType<Keras.Layers.Dense>(stack.Last);
        Assert.Equal(new[] { 2, 2 }, stack.Predict(X).Shape.Dims.ToArray());
    }

    [Fact]
    public void A_layer_subclass_reads_its_own_losses()
    {
        var layer = new Penalized();
        layer.Call(X);
        Assert.Equal(1, layer.PenaltyCount);
        Assert.Equal((1 + 4 + 9 + 1 + 0 + 4) / 6.0, layer.Losses[0].ToArray<float>()[0], 5);
    }

    [Fact]
    public void A_model_subclass_reads_its_metrics_and_calls_the_metric_classes()
    {
        var model = new Regularized();
        Assert.IsType<Keras.Metrics.BinaryAccuracy>(model.MetricNamed("binary_accuracy"));
        model.Compile(new Optimizers.SGD(0.01f), "binary_crossentropy", ["binary_accuracy"]);
        model.Fit(X, Y, batchSize: 2, epochs: 1, verbose: 0);
        Assert.Equal(["loss", "binary_accuracy"], model.MetricNames);
        Assert.Equal(model.MetricNames, model.Metrics.Select(m => m.Name));
    }

    [Fact]
    public void The_lists_read_as_before()
    {
        var model = new Sequential(new Layers.Dense(2), new Layers.Dense(1));
        IReadOnlyList<Layer> layers = model.Layers;
        Assert.Equal(2, layers.Count);
        Assert.Equal(["dense", "dense"], model.Layers.Select(l => l.GetType().Name.ToLowerInvariant()));
        Assert.Empty(model.Losses);
        // Python's model.layers[:1] and [1:], as C# ranges.
        Assert.Same(model.Layers[0], Assert.Single(model.Layers[..1]));
        Assert.Same(model.Layers[1], Assert.Single(model.Layers[1..]));
        foreach (var layer in model.Layers[..1]) layer.Trainable = false;
        Assert.False(model.Layers[0].Trainable);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Layers[1..3]);
    }
}
