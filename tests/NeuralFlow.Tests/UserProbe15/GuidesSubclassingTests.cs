using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Making new layers and models via subclassing" guide in C#: weights made in the
/// constructor, a non-trainable weight accumulating across calls, layers nested in layers (their
/// weights tracked), losses added in a nested layer (reset by each outer call, regularizer terms
/// included), a layer's config rebuilding it, and a dropout that reads the training flag.
/// </summary>
public abstract class GuidesSubclassingTests(string backend) : BackendTest(backend)
{
    // The guide's Linear, with its weights made in the constructor from a known input size.
    private sealed class Linear : Layer
    {
        public const string ClassName = "GuideLinear";
        private readonly int _units, _inputDim;

        public Linear(int units = 32, int inputDim = 32, string? name = null) : base(name)
        {
            (_units, _inputDim) = (units, inputDim);
            W = AddWeight("w", [inputDim, units], Initializer.Get("random_normal"));
            B = AddWeight("b", [units], Initializer.Get("zeros"));
        }

        public Variable W { get; }

        public Variable B { get; }

        protected override Tensor Forward(Tensor inputs) => NF.MatMul(inputs, W) + B;

        public override JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["units"] = _units;
            config["input_dim"] = _inputDim;
            return config;
        }

        public static Linear FromConfig(JsonObject c) => new((int)c["units"]!, (int)c["input_dim"]!, (string?)c["name"]);
    }

    [SkippableFact]
    public void Weights_made_in_the_constructor_compute_x_w_plus_b()
    {
        RequireBackend();
        var x = NF.Ones([2, 2]);
        var linearLayer = new Linear(4, 2);
        var y = linearLayer.Call(x);
        Assert.Equal(new Shape(2, 4), y.Shape);
        GuideAssert.Close(NF.MatMul(x, linearLayer.W) + linearLayer.B, y, 1e-6);
        Assert.Equal([linearLayer.W, linearLayer.B], linearLayer.Variables);

        // Its config rebuilds it (Linear.from_config), with the base entries.
        KerasSerialization.Register(Linear.ClassName, Linear.FromConfig);
        var config = linearLayer.GetConfig();
        Assert.Equal(4, (int)config["units"]!);
        var newLayer = KerasSerialization.FromConfig<Linear>(config);
        Assert.True(JsonNode.DeepEquals(config, newLayer.GetConfig()));
    }

    // The guide's ComputeSum: a non-trainable weight that adds up the inputs' rows.
    private sealed class ComputeSum : Layer
    {
        public ComputeSum(int inputDim) => Total = AddWeight("total", [inputDim], Initializer.Get("zeros"), trainable: false);

        public Variable Total { get; }

        protected override Tensor Forward(Tensor inputs)
        {
            Total.AssignAdd(NF.ReduceSum(inputs, 0));
            return Total;
        }
    }

    [SkippableFact]
    public void A_non_trainable_weight_accumulates_across_calls()
    {
        RequireBackend();
        var x = NF.Ones([2, 2]);
        var mySum = new ComputeSum(2);
        Assert.Equal(new[] { 2f, 2f }, mySum.Call(x).ToArray<float>());
        Assert.Equal(new[] { 4f, 4f }, mySum.Call(x).ToArray<float>());
        Assert.Single(mySum.Variables);
        Assert.Single(mySum.NonTrainableVariables);
        Assert.Empty(mySum.TrainableVariables);
    }

    // Linear deferring its weights to Build, as the guide's best practice does.
    private sealed class LazyLinear(int units = 32) : Layer
    {
        private Variable? _w, _b;

        protected override void Build(Shape inputShape)
        {
            _w = AddWeight("w", [inputShape[-1], units], Initializer.Get("random_normal"));
            _b = AddWeight("b", [units], Initializer.Get("random_normal"));
        }

        protected override Tensor Forward(Tensor inputs) => NF.MatMul(inputs, _w!) + _b!;
    }

    private sealed class MlpBlock : Layer
    {
        private readonly LazyLinear _linear1 = new(32), _linear2 = new(32), _linear3 = new(1);

        protected override Tensor Forward(Tensor inputs)
        {
            var x = NF.Relu(_linear1.Call(inputs));
            x = NF.Relu(_linear2.Call(x));
            return _linear3.Call(x);
        }
    }

    [SkippableFact]
    public void Layers_nested_in_a_layer_are_tracked_after_the_first_call()
    {
        RequireBackend();
        var mlp = new MlpBlock();
        var y = mlp.Call(NF.Ones([3, 64]));
        Assert.Equal(new Shape(3, 1), y.Shape);
        Assert.Equal(6, mlp.Variables.Count);
        Assert.Equal(6, mlp.TrainableVariables.Count);
        Assert.Equal(64 * 32 + 32 + 32 * 32 + 32 + 32 + 1, mlp.CountParams());
    }

    // The guide's ActivityRegularizationLayer(rate) and the OuterLayer holding one.
    private sealed class ActivityRegularizationLayer(float rate = 1e-2f) : Layer
    {
        protected override Tensor Forward(Tensor inputs)
        {
            AddLoss(rate * NF.ReduceMean(inputs));
            return inputs;
        }
    }

    private sealed class OuterLayer : Layer
    {
        private readonly ActivityRegularizationLayer _activityReg = new(1e-2f);

        protected override Tensor Forward(Tensor inputs) => _activityReg.Call(inputs);
    }

    private sealed class OuterLayerWithKernelRegularizer : Layer
    {
        public readonly Layers.Dense Dense = new(32, kernelRegularizer: new Regularizers.L2(1e-3));

        protected override Tensor Forward(Tensor inputs) => Dense.Call(inputs);
    }

    [SkippableFact]
    public void A_nested_layers_losses_are_those_of_the_last_outer_call()
    {
        RequireBackend();
        var layer = new OuterLayer();
        Assert.Empty(layer.Losses);   // never called
        layer.Call(NF.Zeros([1, 1]));
        Assert.Single(layer.Losses);
        layer.Call(NF.Constant(new[,] { { 3f } }));
        Assert.Single(layer.Losses);   // the last call's, not one per call
        Assert.Equal(0.03f, layer.Losses[0].Item<float>(), 6);

        var regularized = new OuterLayerWithKernelRegularizer();
        regularized.Call(NF.Zeros([1, 1]));
        var penalty = Assert.Single(regularized.Losses);
        Assert.Equal(1e-3f * NF.ReduceSum(NF.Square(regularized.Dense.Kernel!)).Item<float>(), penalty.Item<float>(), 6);
    }

    // The guide's CustomDropout: drops only when called in training.
    private sealed class CustomDropout(double rate) : Layer
    {
        protected override Tensor Forward(Tensor inputs) => IsTraining ? NF.Random.Dropout(inputs, rate) : inputs;
    }

    [SkippableFact]
    public void A_layer_reads_the_training_flag()
    {
        RequireBackend();
        NF.Random.SetSeed(51);
        var dropout = new CustomDropout(0.5);
        var x = NF.Ones([1, 400]);
        Assert.Equal(x.ToArray<float>(), dropout.Call(x, training: false).ToArray<float>());
        var dropped = dropout.Call(x, training: true).ToArray<float>();
        Assert.InRange(dropped.Count(v => v == 0), 120, 280);
        Assert.All(dropped, v => Assert.True(v == 0 || Math.Abs(v - 2f) < 1e-6));
        // keras.random.dropout itself: the kept elements carry the gradient 1 / (1 - rate), blocks share a draw.
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = NF.Random.Dropout(x, 0.25);
            var grad = tape.Gradient(NF.ReduceSum(y), [x])[0].ToArray<float>();
            Assert.Equal(y.ToArray<float>(), grad);
        }
        var rows = NF.Random.Dropout(NF.Ones([6, 50]), 0.5, noiseShape: new Shape(6, 1)).ToArray<float>();
        for (int r = 0; r < 6; r++) Assert.Single(rows.Skip(r * 50).Take(50).Distinct());
        // Keras 3 takes rates in [0, 1] (1 gives zeros: UserProbe23/DropoutRateOneTests); above 1 is refused.
        Assert.Contains("rate", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Random.Dropout(x, 1.5)).Message);
        Assert.Contains("noiseShape", Assert.Throws<ArgumentException>(() => NF.Random.Dropout(x, 0.5, noiseShape: new Shape(1, 3))).Message);
        Assert.Contains("float", Assert.Throws<ArgumentException>(() => NF.Random.Dropout(NF.Constant(new[] { 1, 2 }), 0.5)).Message);
        // In a model: Predict runs in inference mode.
        var model = new Sequential(Layers.Input([400]), dropout);
        Assert.Equal(x.ToArray<float>(), model.Predict(x).ToArray<float>());
    }
}

/// <summary>The subclassing guide on the managed backend.</summary>
public sealed class ManagedGuidesSubclassingTests() : GuidesSubclassingTests("managed");

/// <summary>The subclassing guide on the native CPU backend.</summary>
public sealed class NativeCpuGuidesSubclassingTests() : GuidesSubclassingTests("cpu");

/// <summary>The subclassing guide on CUDA.</summary>
public sealed class CudaGuidesSubclassingTests() : GuidesSubclassingTests("cuda");
