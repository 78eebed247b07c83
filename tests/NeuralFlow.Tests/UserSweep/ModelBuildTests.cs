using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Keras' <c>model.build(input_shape)</c> (here without the batch axis, as Layers.Input: Keras'
/// build((None, 28, 28)) is Build([28, 28])) and <c>model.metrics_names</c>. The parameter counts
/// are Keras' by hand: Dense(50) on 784 features has 784 * 50 + 50 = 39,250, Dense(10) on 50 has 510.
/// </summary>
public abstract class ModelBuildTests(string backend) : BackendTest(backend)
{
    private static Sequential Workshop() =>
        new(new Layers.Flatten(), new Layers.Dense(50, activation: "relu"), new Layers.Dense(10));

    // The workshop model with its weights drawn from one seed: built from the shape, or left to its first call.
    private static Sequential SeededWorkshop(bool build)
    {
        NF.Random.SetSeed(5);
        var model = Workshop();
        if (build) model.Build([28, 28]);
        return model;
    }

    private static Tensor Images(int count)
    {
        NF.Random.SetSeed(9);
        return NF.Random.Uniform([count, 28, 28]);
    }

    private sealed class Subclassed : Model
    {
        private readonly Layers.Dense _hidden = new(5, activation: "relu");
        private readonly Layers.Dense _out = new(2);
        public override Tensor Call(Tensor x) => _out.Call(_hidden.Call(x));
    }

    [SkippableFact]
    public void A_sequential_built_from_a_shape_has_its_weights_and_summary_before_any_data()
    {
        RequireBackend();
        var model = Workshop();
        Assert.Equal(0, model.CountParams());
        model.Build([28, 28]);
        Assert.Equal(39760, model.CountParams());
        Assert.Equal([new Shape(784, 50), new Shape(50), new Shape(50, 10), new Shape(10)], model.Variables.Select(v => v.Shape));
        var text = model.SummaryText();
        Assert.Contains("(None, 784)", text);
        Assert.Contains("(None, 10)", text);
        Assert.Contains("39,760", text);
        Assert.DoesNotContain("unbuilt", text);
        Assert.DoesNotContain("InputLayer", text);  // Keras lists only the layers after the input
        // As Keras' Sequential.build: the model now starts from an input, so an added layer builds at once.
        model.Add(new Layers.Dense(3));
        Assert.Equal(39760 + 33, model.CountParams());
        // Building again for the same shape changes nothing; another shape is refused, naming the input's.
        model.Build([28, 28]);
        var e = Assert.Throws<ArgumentException>(() => model.Build([32, 32]));
        Assert.Contains("(None, 28, 28)", e.Message);
        Assert.Contains("(None, 32, 32)", e.Message);
    }

    [SkippableFact]
    public void A_built_model_draws_the_weights_a_first_call_would_trains_and_loads_weights()
    {
        RequireBackend();
        var x = Images(16);
        var built = SeededWorkshop(build: true);
        Assert.Equal(SeededWorkshop(build: false).Call(x).ToArray<float>(), built.Call(x).ToArray<float>());

        built.Compile(optimizer: "adam", loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var history = built.Fit(x, NF.Range(0, 16) % 10, epochs: 2, batchSize: 8, verbose: 0);
        Assert.Equal(2, history.Epochs);
        using var temp = new TempDirectory();
        built.SaveWeights(temp.File("w.safetensors"));
        var fresh = Workshop();
        fresh.Build([28, 28]);  // without it, LoadWeights has no weights to fill
        fresh.LoadWeights(temp.File("w.safetensors"));
        Assert.Equal(built.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());
    }

    // An input layer has no weights: a Sequential that starts with one (made so, or by Build) saves,
    // loads and exports before any call; Save called its input "unbuilt" until its first batch.
    [SkippableFact]
    public void A_built_model_saves_loads_and_exports_before_any_call()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        var built = SeededWorkshop(build: true);
        built.Save(temp.File("built.nfmodel"));
        var x = Images(4);
        Assert.Equal(built.Predict(x).ToArray<float>(), Model.Load(temp.File("built.nfmodel")).Predict(x).ToArray<float>());
        var withInput = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        withInput.Save(temp.File("input.nfmodel"));
        withInput.ExportOnnx(temp.File("input.onnx"));
        Assert.Equal(8, Model.Load(temp.File("input.nfmodel")).CountParams());
        Assert.True(new FileInfo(temp.File("input.onnx")).Length > 0);
    }

    [SkippableFact]
    public void A_shape_a_layer_cannot_take_is_an_argument_error_naming_the_layer()
    {
        RequireBackend();
        var conv = new Layers.Conv2D(8, 3, name: "stem");
        var model = new Sequential(conv);
        var e = Assert.Throws<ArgumentException>(() => model.Build([28, 28]));  // Conv2D takes (None, H, W, C)
        Assert.Contains("stem (Conv2D)", e.Message);
        Assert.Contains("(None, 28, 28)", e.Message);
        Assert.False(conv.Built);
        model.Build([28, 28, 1]);  // the right rank still builds
        Assert.Equal(3 * 3 * 8 + 8, model.CountParams());
        Assert.Throws<ArgumentException>(() => new Sequential(new Layers.Dense(2)).Build([-1, 3]));
        Assert.Throws<ArgumentNullException>(() => new Sequential(new Layers.Dense(2)).Build(null!));
    }

    [SkippableFact]
    public void A_functional_model_is_built_already_and_checks_the_shape()
    {
        RequireBackend();
        var input = Layers.Input([4]);
        var model = new Model(input, new Layers.Dense(2).Call(input));
        model.Build([4]);
        Assert.Equal(10, model.CountParams());
        var e = Assert.Throws<ArgumentException>(() => model.Build([5]));
        Assert.Contains("(None, 4)", e.Message);
    }

    [SkippableFact]
    public void A_subclassed_model_builds_by_one_call_on_zeros()
    {
        RequireBackend();
        var model = new Subclassed();
        model.Build([3]);
        Assert.Equal(3 * 5 + 5 + 5 * 2 + 2, model.CountParams());
        Assert.Equal([new Shape(3, 5), new Shape(5), new Shape(5, 2), new Shape(2)], model.Variables.Select(v => v.Shape));
    }

    [SkippableFact]
    public void An_embedding_model_builds_from_integer_inputs()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Embedding(100, 8), new Layers.Flatten(), new Layers.Dense(1));
        model.Build([5], DType.Int32);
        Assert.Equal(100 * 8 + 5 * 8 + 1, model.CountParams());
    }

    [SkippableFact]
    public void Metrics_names_are_the_names_of_evaluates_results_in_order()
    {
        RequireBackend();
        var model = Workshop();
        Assert.Empty(model.MetricsNames);  // Keras: [] before compile
        model.Compile(optimizer: "sgd", loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy", "sparse_top_k_categorical_accuracy"]);
        Assert.Equal(["loss", "accuracy", "sparse_top_k_categorical_accuracy"], model.MetricsNames);
        var x = Images(8);
        var y = NF.Range(0, 8) % 10;
        var result = model.Evaluate(x, y);
        Assert.Equal(model.MetricsNames, result.Values.Select(kv => kv.Key));
        var history = model.Fit(x, y, epochs: 1, verbose: 0, validationData: (x, y));
        Assert.Equal([.. model.MetricsNames, .. model.MetricsNames.Select(n => "val_" + n)], history.Keys);
    }

    [SkippableFact]
    public void Metrics_names_of_a_model_of_two_outputs_name_each_outputs_loss_and_metrics()
    {
        RequireBackend();
        var input = Layers.Input([4]);
        var label = new Layers.Dense(3, name: "label").Call(input);
        var score = new Layers.Dense(1, name: "score").Call(input);
        var model = new Model(input, [label, score]);
        model.Compile(new Optimizers.SGD(0.1), [new Losses.SparseCategoricalCrossentropy(fromLogits: true), new Losses.MeanSquaredError()], ["accuracy"]);
        // tf.keras' order: the total loss, each output's loss, then each output's metrics.
        Assert.Equal(["loss", "label_loss", "score_loss", "label_accuracy", "score_accuracy"], model.MetricsNames);
        NF.Random.SetSeed(4);
        var x = NF.Random.Uniform([6, 4]);
        var result = model.Evaluate(x, (NF.Range(0, 6) % 3, NF.Random.Uniform([6, 1])));
        Assert.Equal(model.MetricsNames, result.Values.Select(kv => kv.Key));
    }
}

public sealed class ManagedModelBuildTests() : ModelBuildTests("managed");

public sealed class NativeCpuModelBuildTests() : ModelBuildTests("cpu");

public sealed class CudaModelBuildTests() : ModelBuildTests("cuda");
