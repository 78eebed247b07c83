using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// Fit, Evaluate and Predict of a model of two inputs and two outputs on every backend: inputs
/// and targets as tuples, arrays and dictionaries, a loss per output with loss weights (the total
/// is their weighted sum), Keras' history keys, and the compile config in a model file.
/// </summary>
public abstract class MultiOutputTrainingTests(string backend) : BackendFileTest(backend)
{
    private const int N = 24;

    private static Tensor Data(int[] shape, int seed) => NF.Constant(RandomValues((int)new Shape(shape).Count, seed, -1, 1).Select(v => (float)v).ToArray(), shape);

    private static Model Build()
    {
        var image = Layers.Input([4], name: "image");
        var extra = Layers.Input([3], name: "extra");
        var trunk = new Layers.Dense(8, activation: "tanh", name: "trunk").Call(new Layers.Concatenate(name: "both").Call([image, extra]));
        var cls = new Layers.Dense(3, activation: "softmax", name: "cls").Call(trunk);
        var bin = new Layers.Dense(1, activation: "sigmoid", name: "bin").Call(trunk);
        return new Model([image, extra], [cls, bin], name: "two_by_two");
    }

    private static (Tensor A, Tensor B, Tensor Cls, Tensor Bin) Examples()
    {
        var a = Data([N, 4], 1);
        var b = Data([N, 3], 2);
        // Learnable targets: the class is the largest of a's first three features, the bit b's first's sign.
        var av = a.ToArray<float>();
        var bv = b.ToArray<float>();
        var cls = NF.Constant(Enumerable.Range(0, N).Select(i => (long)Array.IndexOf(av[(i * 4)..(i * 4 + 3)], av[(i * 4)..(i * 4 + 3)].Max())).ToArray());
        var bin = NF.Constant(Enumerable.Range(0, N).Select(i => bv[i * 3] > 0 ? 1f : 0f).ToArray(), [N, 1]);
        return (a, b, cls, bin);
    }

    [SkippableFact]
    public void The_total_loss_is_the_weighted_sum_of_the_output_losses()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        var model = Build();
        var (a, b, cls, bin) = Examples();
        model.Compile("sgd", ["sparse_categorical_crossentropy", "binary_crossentropy"], ["accuracy"], lossWeights: [0.5f, 2f]);
        var result = model.Evaluate((a, b), (cls, bin), batchSize: 5);
        Assert.Equal(["loss", "cls_loss", "bin_loss", "cls_accuracy", "bin_accuracy"], result.Values.Select(kv => kv.Key));
        Assert.Equal(0.5f * result["cls_loss"] + 2f * result["bin_loss"], result["loss"], 1e-5f);
        // Against the losses computed directly on the predictions.
        var predictions = model.PredictOutputs((a, b));
        float clsLoss = ((Losses.Loss)"sparse_categorical_crossentropy").Call(cls, predictions[0]).Item<float>();
        float binLoss = ((Losses.Loss)"binary_crossentropy").Call(bin, predictions[1]).Item<float>();
        Assert.Equal(clsLoss, result["cls_loss"], 1e-5f);
        Assert.Equal(binLoss, result["bin_loss"], 1e-5f);

        // One full-batch step: the history's loss is the weighted sum before the update.
        var history = model.Fit((a, b), (cls, bin), batchSize: N, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(0.5f * clsLoss + 2f * binLoss, history["loss"][0], 1e-5f);
        Assert.Equal(clsLoss, history["cls_loss"][0], 1e-5f);
        Assert.Equal(binLoss, history["bin_loss"][0], 1e-5f);
    }

    [SkippableFact]
    public void Fit_trains_both_outputs_from_tuples_arrays_and_dictionaries()
    {
        RequireBackend();
        NF.Random.SetSeed(32);
        var model = Build();
        var (a, b, cls, bin) = Examples();
        model.Compile(new Optimizers.Adam(0.05f), new Dictionary<string, Losses.Loss> { ["cls"] = "sparse_categorical_crossentropy", ["bin"] = "binary_crossentropy" },
            ["accuracy"], new Dictionary<string, float> { ["bin"] = 0.5f });
        var before = model.Variables[0].ToArray<float>();
        var history = model.Fit((a, b), (cls, bin), batchSize: 8, epochs: 30, verbose: 0, validationSplit: 0.25);
        Assert.NotEqual(before, model.Variables[0].ToArray<float>());
        Assert.Equal(
            new[] { "loss", "cls_loss", "bin_loss", "cls_accuracy", "bin_accuracy", "val_loss", "val_cls_loss", "val_bin_loss", "val_cls_accuracy", "val_bin_accuracy" }.Order(),
            history.Keys.Order());
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.8, $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        Assert.Equal(history["cls_loss"][^1] + 0.5f * history["bin_loss"][^1], history["loss"][^1], 0.05f); // a mean over batches of changing weights

        var byName = new Dictionary<string, Tensor> { ["extra"] = b, ["image"] = a };
        var targets = new Dictionary<string, Tensor> { ["bin"] = bin, ["cls"] = cls };
        var fromDictionaries = model.Evaluate(byName, targets);
        var fromArrays = model.Evaluate(new[] { a, b }, new[] { cls, bin });
        Assert.Equal(fromArrays.Values, fromDictionaries.Values);
        model.Fit(byName, targets, batchSize: 8, epochs: 1, verbose: 0);

        var outputs = model.PredictOutputs(byName, batchSize: 7);
        Assert.Equal(new Shape(N, 3), outputs[0].Shape);
        Assert.Equal(new Shape(N, 1), outputs[1].Shape);
        var direct = model.CallOutputs([a, b])[1].ToArray<float>();
        var batched = outputs[1].ToArray<float>();
        for (int i = 0; i < N; i++) Assert.Equal(direct[i], batched[i], 1e-6f); // batches of 7 sum in another order
        Assert.Contains("PredictOutputs", Assert.Throws<InvalidOperationException>(() => model.Predict((a, b))).Message);
    }

    [SkippableFact]
    public void A_dataset_of_two_inputs_and_a_target_trains_as_the_tensors_do()
    {
        RequireBackend();
        var (a, b, cls, _) = Examples();
        Model Fresh()
        {
            NF.Random.SetSeed(35);
            var image = Layers.Input([4], name: "image");
            var extra = Layers.Input([3], name: "extra");
            var joined = new Layers.Concatenate().Call([image, extra]);
            var model = new Model([image, extra], [new Layers.Dense(3, activation: "softmax").Call(joined)]);
            model.Compile("sgd", "sparse_categorical_crossentropy", ["accuracy"]);
            return model;
        }
        var fromTensors = Fresh().Fit((a, b), cls, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        var model = Fresh();
        var fromDataset = model.Fit(NeuralFlow.Data.Dataset.FromTensorSlices(a, b, cls).Batch(8), epochs: 2, verbose: 0);
        Assert.Equal(fromTensors["loss"], fromDataset["loss"]);
        Assert.Equal(fromTensors["accuracy"], fromDataset["accuracy"]);
        Assert.Equal(new Shape(N, 3), model.Predict(NeuralFlow.Data.Dataset.FromTensorSlices(a, b).Batch(5)).Shape);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(NeuralFlow.Data.Dataset.FromTensorSlices(a, cls).Batch(8), verbose: 0));
        Assert.Contains("need 3 tensors (2 inputs, then labels)", e.Message);
    }

    [SkippableFact]
    public void Mismatched_inputs_and_targets_are_named()
    {
        RequireBackend();
        var model = Build();
        var (a, b, cls, bin) = Examples();
        model.Compile("sgd", "binary_crossentropy");
        Assert.Contains("2 input(s) (image, extra)", Assert.Throws<ArgumentException>(() => model.Fit(a, (cls, bin), verbose: 0)).Message);
        Assert.Contains("2 output(s) (cls, bin)", Assert.Throws<ArgumentException>(() => model.Fit((a, b), cls, verbose: 0)).Message);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(new Dictionary<string, Tensor> { ["image"] = a, ["pixels"] = b }, (cls, bin), verbose: 0));
        Assert.Contains("missing extra", e.Message);
        Assert.Contains("unknown pixels", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit((a, b[..5]), (cls, bin), verbose: 0));
        Assert.Contains("same number of examples", e.Message);
        Assert.Contains("(5, 3)", e.Message);
        Assert.Contains("'head'", Assert.Throws<ArgumentException>(() => model.Compile("sgd", new Dictionary<string, Losses.Loss> { ["head"] = "mse" })).Message);
        Assert.Contains("3 losses", Assert.Throws<ArgumentException>(() => model.Compile("sgd", ["mse", "mse", "mse"])).Message);
        Assert.Contains("name the metrics", Assert.Throws<ArgumentException>(() => model.Compile("sgd", "mse", [new Metrics.Accuracy()])).Message);
    }

    [SkippableFact]
    public void A_trained_two_output_model_saves_its_losses_and_weights()
    {
        RequireBackend();
        NF.Random.SetSeed(33);
        var model = Build();
        var (a, b, cls, bin) = Examples();
        model.Compile("adam", ["sparse_categorical_crossentropy", "binary_crossentropy"], ["accuracy"], lossWeights: [1f, 3f]);
        model.Fit((a, b), (cls, bin), batchSize: 8, epochs: 2, verbose: 0);
        string path = Temp.File("two.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Evaluate((a, b), (cls, bin)).Values, loaded.Evaluate((a, b), (cls, bin)).Values);
        // Training resumes identically: the optimizer state came back too.
        NF.Random.SetSeed(34);
        var h1 = model.Fit((a, b), (cls, bin), batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        var h2 = loaded.Fit((a, b), (cls, bin), batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(h1["loss"], h2["loss"]);
    }
}

public sealed class ManagedMultiOutputTrainingTests() : MultiOutputTrainingTests("managed");

public sealed class NativeCpuMultiOutputTrainingTests() : MultiOutputTrainingTests("cpu");

public sealed class CudaMultiOutputTrainingTests() : MultiOutputTrainingTests("cuda");
