using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe15;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// Keras' <c>custom_objects</c> beyond layers: a saved model names the loss, metrics, activation,
/// initializer, regularizer and constraint of your own it was built and compiled with, and
/// <c>load_model(path, custom_objects)</c> (or <c>custom_object_scope</c>) gives them back. Before,
/// Save refused a loss or metric of your own and an unregistered named activation, and
/// customObjects held layer factories only.
/// </summary>
public abstract class SubclassedCustomObjectsTests(string backend) : BackendFileTest(backend)
{
    // The guide's CustomMSE: mean squared error plus a factor times the mean of (0.5 - y_pred)^2.
    private sealed class CenteredMse(double factor) : Losses.Loss
    {
        public double Factor => factor;

        public override string Name => "centered_mse";

        public override Tensor PerExampleLoss(Tensor yTrue, Tensor yPred) =>
            NF.ReduceMean(NF.Square(yTrue - yPred), axis: -1) + (float)factor * NF.ReduceMean(NF.Square(0.5f - yPred), axis: -1);

        public override Dictionary<string, object?> GetConfig()
        {
            var config = base.GetConfig();
            config["factor"] = factor;
            return config;
        }
    }

    // A kernel penalty and a clipping constraint of one's own, each with its config.
    private sealed class SumSquares(double scale) : Regularizers.Regularizer
    {
        public double Scale => scale;
        public override Tensor Call(Tensor x) => NF.ReduceSum(NF.Square(x)) * (float)scale;
        public override JsonObject GetConfig() => new() { ["class_name"] = nameof(SumSquares), ["config"] = new JsonObject { ["scale"] = scale } };
    }

    private sealed class ClipTo(double limit) : Constraints.Constraint
    {
        public double Limit => limit;
        public override Tensor Call(Tensor w) => NF.Clip(w, -(float)limit, (float)limit);
        public override JsonObject GetConfig() => new() { ["class_name"] = nameof(ClipTo), ["config"] = new JsonObject { ["limit"] = limit } };
    }

    private static Tensor SquareTanh(Tensor x) => NF.Square(NF.Tanh(x));

    private static Tensor AbsoluteGap(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Abs(yTrue - yPred), axis: -1);

    private static Tensor HalfSquares(Tensor yTrue, Tensor yPred) => 0.5f * NF.ReduceMean(NF.Square(yTrue - yPred), axis: -1);

    private static Tensor SmallUniform(Shape shape, int fanIn, int fanOut) => NF.Random.Uniform(shape.ToArray(), -0.1f, 0.1f);

    private static CustomObjects All() => new()
    {
        { "up16_square_tanh", SquareTanh },
        { "up16_small_uniform", _ => new Initializer("up16_small_uniform", SmallUniform) },
        { nameof(SumSquares), c => new SumSquares((double)c["scale"]!) },
        { nameof(ClipTo), c => new ClipTo((double)c["limit"]!) },
        { nameof(CenteredMse), c => new CenteredMse((double)c["factor"]!) },
        { nameof(AbsoluteGap), AbsoluteGap },
    };

    private (Model Model, Tensor X, Tensor Y) Trained()
    {
        NF.Random.SetSeed(41);
        var x = NF.Random.Normal([48, 4]);
        var y = NF.Random.Uniform([48, 2]);
        var inputs = Layers.Input([4], name: "features");
        var hidden = new Layers.Dense(6, activation: new ActivationFunction("up16_square_tanh", SquareTanh),
            kernelInitializer: new Initializer("up16_small_uniform", SmallUniform), name: "hidden",
            kernelRegularizer: new SumSquares(0.01), kernelConstraint: new ClipTo(0.4)).Call(inputs);
        var model = new Model(inputs, new Layers.Dense(2, name: "out").Call(hidden), name: "custom_parts");
        model.Compile(new Optimizers.Adam(0.01f), new CenteredMse(0.1), metrics: [(Func<Tensor, Tensor, Tensor>)AbsoluteGap]);
        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false);
        return (model, x, y);
    }

    [SkippableTheory]
    [InlineData("custom_parts.keras")]
    [InlineData("custom_parts.nfmodel")]
    public void A_model_of_custom_parts_saves_and_loads_with_custom_objects(string file)
    {
        RequireBackend();
        var (model, x, y) = Trained();
        var path = SaveTo(model, file);

        // Without them, loading names what is missing and where to give it.
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains("customObjects", e.Message);

        var loaded = Model.Load(path, All());
        var hidden = (Layers.Dense)loaded.GetLayer("hidden");
        Assert.Equal(0.01, Assert.IsType<SumSquares>(hidden.KernelRegularizer).Scale);
        Assert.Equal(0.4, Assert.IsType<ClipTo>(hidden.KernelConstraint).Limit);
        GuideAssert.Close(model.Predict(x), loaded.Predict(x), 1e-6);
        // Compiled with the custom loss and metric: the same evaluation, and training resumes alike.
        var expected = model.Evaluate(x, y, batchSize: 48);
        var actual = loaded.Evaluate(x, y, batchSize: 48);
        Assert.Equal(expected.Values.Select(v => v.Key).Order(), actual.Values.Select(v => v.Key).Order());
        Assert.Contains(nameof(AbsoluteGap), actual.Values.Select(v => v.Key));
        foreach (var (key, value) in expected.Values) Assert.Equal(value, actual[key], 5);
        var h1 = model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        var h2 = loaded.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(h1["loss"][0], h2["loss"][0], 5);
        GuideAssert.Close(model.Predict(x), loaded.Predict(x), 1e-5);
    }

    [SkippableFact]
    public void A_scope_gives_custom_objects_to_loading_and_a_missing_loss_is_named()
    {
        RequireBackend();
        var (model, x, _) = Trained();
        var path = SaveTo(model, "scoped.keras");
        using (KerasSerialization.CustomObjectScope(All()))
        {
            GuideAssert.Close(model.Predict(x), Model.Load(path).Predict(x), 1e-6);
            // custom_objects=None, written both ways (once ambiguous between the two overloads).
            GuideAssert.Close(model.Predict(x), Model.Load(path, null).Predict(x), 1e-6);
            GuideAssert.Close(model.Predict(x), Model.Load(path, customObjects: null).Predict(x), 1e-6);
        }

        // Everything but the loss: the error names the loss.
        var noLoss = new CustomObjects
        {
            { "up16_square_tanh", SquareTanh },
            { "up16_small_uniform", _ => new Initializer("up16_small_uniform", SmallUniform) },
            { nameof(SumSquares), c => new SumSquares((double)c["scale"]!) },
            { nameof(ClipTo), c => new ClipTo((double)c["limit"]!) },
            { nameof(AbsoluteGap), AbsoluteGap },
        };
        Assert.Contains(nameof(CenteredMse), Assert.Throws<InvalidDataException>(() => Model.Load(path, noLoss)).Message);

        // A loss function compiled by name loads from customObjects as a function.
        var functional = Model.Load(path, All());
        functional.Compile(new Optimizers.SGD(0.01f), (Func<Tensor, Tensor, Tensor>)HalfSquares);
        var again = Model.Load(SaveTo(functional, "function_loss.keras"), new CustomObjects
        {
            { "up16_square_tanh", SquareTanh },
            { "up16_small_uniform", _ => new Initializer("up16_small_uniform", SmallUniform) },
            { nameof(SumSquares), c => new SumSquares((double)c["scale"]!) },
            { nameof(ClipTo), c => new ClipTo((double)c["limit"]!) },
            { nameof(HalfSquares), HalfSquares },
        });
        var y = NF.Random.Uniform([48, 2]);
        Assert.Equal(functional.Evaluate(x, y, batchSize: 48)["loss"], again.Evaluate(x, y, batchSize: 48)["loss"], 5);

        // One name given twice is refused.
        Assert.Throws<ArgumentException>(() => new CustomObjects { { "twice", SquareTanh }, { "twice", AbsoluteGap } });
    }
}

/// <summary>Custom objects of every kind, on the managed backend.</summary>
public sealed class ManagedSubclassedCustomObjectsTests() : SubclassedCustomObjectsTests("managed");

/// <summary>Custom objects of every kind, on the native CPU backend.</summary>
public sealed class NativeCpuSubclassedCustomObjectsTests() : SubclassedCustomObjectsTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSubclassedCustomObjectsTests() : SubclassedCustomObjectsTests("cuda");
