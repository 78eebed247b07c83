using NeuralFlow.Data;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NamedData;

/// <summary>
/// Fit, Evaluate and Predict of a functional model with named inputs and outputs fed from a
/// dataset of dictionaries, as Keras' "multi-input and multi-output models" guide does
/// (keras-io guides/functional_api.py: the ticket model with inputs title, body and tags and
/// outputs priority and department), scaled down. The reference is Keras' own promise, also
/// NeuralFlow's: the dataset trains exactly as the same dictionaries of tensors do (same seed, no
/// shuffle), inputs matched by name whatever the key order, extra feature keys ignored.
/// </summary>
public abstract class DictionaryDatasetTrainingTests(string backend) : BackendTest(backend)
{
    private const int N = 32, Words = 50, Tags = 6, Departments = 4, Batch = 8;

    private static Model Ticket()
    {
        NF.Random.SetSeed(61);
        var title = Layers.Input([5], DType.Int32, name: "title");
        var body = Layers.Input([8], DType.Int32, name: "body");
        var tags = Layers.Input([Tags], name: "tags");
        var titleFeatures = new Layers.LSTM(8).Call(new Layers.Embedding(Words, 6).Call(title));
        var bodyFeatures = new Layers.LSTM(4).Call(new Layers.Embedding(Words, 6).Call(body));
        var x = new Layers.Concatenate().Call([titleFeatures, bodyFeatures, tags]);
        var priority = new Layers.Dense(1, name: "priority").Call(x);
        var department = new Layers.Dense(Departments, name: "department").Call(x);
        var model = new Model([title, body, tags], [priority, department]);
        model.Compile(new Optimizers.RMSprop(1e-2),
            new Dictionary<string, Losses.Loss> { ["priority"] = new Losses.BinaryCrossentropy(fromLogits: true), ["department"] = new Losses.CategoricalCrossentropy(fromLogits: true) },
            lossWeights: new Dictionary<string, float> { ["priority"] = 1f, ["department"] = 0.2f });
        return model;
    }

    private static Tensor Ints(int rows, int cols, int high, int seed) =>
        NF.Constant(RandomValues(rows * cols, seed, 0, high).Select(v => Math.Min(high - 1, (int)v)).ToArray(), [rows, cols]);

    // The guide's random data: word ids, binary tags, priorities in [0, 1), one-hot-ish departments.
    private static (Dictionary<string, Tensor> Features, Dictionary<string, Tensor> Targets) Tickets()
    {
        var features = new Dictionary<string, Tensor>
        {
            ["tags"] = NF.Cast(Ints(N, Tags, 2, 3), DType.Float32),
            ["body"] = Ints(N, 8, Words, 2),
            ["title"] = Ints(N, 5, Words, 1),
        };
        var targets = new Dictionary<string, Tensor>
        {
            ["priority"] = NF.Constant(RandomValues(N, 4, 0, 1).Select(v => (float)v).ToArray(), [N, 1]),
            ["department"] = NF.Cast(Ints(N, Departments, 2, 5), DType.Float32),
        };
        return (features, targets);
    }

    [SkippableFact]
    public void The_ticket_model_trains_from_a_dictionary_dataset_as_from_the_dictionaries()
    {
        RequireBackend();
        var (features, targets) = Tickets();
        var fromTensors = Ticket().Fit(features, targets, batchSize: Batch, epochs: 2, verbose: 0, shuffle: false);
        var model = Ticket();
        var fromDataset = model.Fit(Dataset.FromTensorSlices(features, targets).Batch(Batch).Prefetch(2), epochs: 2, verbose: 0);
        Assert.Equal(fromTensors["loss"], fromDataset["loss"]);
        Assert.Equal(fromTensors["priority_loss"], fromDataset["priority_loss"]);
        Assert.Equal(fromTensors["department_loss"], fromDataset["department_loss"]);
        Assert.True(fromDataset["loss"][1] < fromDataset["loss"][0], $"loss {fromDataset["loss"][0]} -> {fromDataset["loss"][1]}");

        Assert.Equal(model.Evaluate(features, targets, batchSize: Batch).Values, model.Evaluate(Dataset.FromTensorSlices(features, targets).Batch(Batch)).Values);
        var direct = model.PredictOutputs(features, batchSize: Batch);
        var fromFeatures = model.PredictOutputs(Dataset.FromTensorSlices(features).Batch(Batch));
        var fromPairs = model.PredictOutputs(Dataset.FromTensorSlices(features, targets).Batch(Batch));
        for (int o = 0; o < 2; o++)
        {
            Assert.Equal(direct[o].ToArray<float>(), fromFeatures[o].ToArray<float>());
            Assert.Equal(direct[o].ToArray<float>(), fromPairs[o].ToArray<float>());
        }
    }

    [SkippableFact]
    public void A_mapped_and_shuffled_dictionary_dataset_with_an_extra_key_trains()
    {
        RequireBackend();
        var (features, targets) = Tickets();
        var model = Ticket();
        // ds.map(lambda feats, y: ({**feats, "tags2": feats["tags"] * 2}, y)): Keras takes the inputs it needs by name.
        var ds = Dataset.FromTensorSlices(features, targets)
            .Map((f, y) => (new Dictionary<string, Tensor>(f) { ["tags2"] = f["tags"] * 2f }, y))
            .Shuffle(N, seed: 7).Batch(Batch, dropRemainder: true).Prefetch(Dataset.Autotune);
        var history = model.Fit(ds, epochs: 2, verbose: 0, validationData: Dataset.FromTensorSlices(features, targets).Batch(Batch));
        Assert.Equal(2, history["val_loss"].Count);
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l)));

        // One label tensor for a one-output model of named inputs.
        var tags = Layers.Input([Tags], name: "tags");
        var title = Layers.Input([5], DType.Int32, name: "title");
        var joined = new Layers.Concatenate().Call([tags, new Layers.Flatten().Call(new Layers.Embedding(Words, 2).Call(title))]);
        var single = new Model([title, tags], [new Layers.Dense(1).Call(joined)]);
        single.Compile("sgd", "mse");
        var h = single.Fit(Dataset.FromTensorSlices(features, targets["priority"]).Batch(Batch), verbose: 0);
        Assert.True(float.IsFinite(h["loss"][0]));
    }

    [SkippableFact]
    public void Missing_and_unknown_keys_and_missing_targets_are_named()
    {
        RequireBackend();
        var (features, targets) = Tickets();
        var model = Ticket();
        var noBody = new Dictionary<string, Tensor>(features);
        noBody.Remove("body");
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Dataset.FromTensorSlices(noBody, targets).Batch(Batch), verbose: 0));
        Assert.Contains("missing body", e.Message);
        Assert.Contains("Fit", e.Message);
        var wrongTarget = new Dictionary<string, Tensor> { ["priority"] = targets["priority"], ["dept"] = targets["department"] };
        e = Assert.Throws<ArgumentException>(() => model.Evaluate(Dataset.FromTensorSlices(features, wrongTarget).Batch(Batch)));
        Assert.Contains("missing department", e.Message);
        Assert.Contains("unknown dept", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(Dataset.FromTensorSlices(features).Batch(Batch), verbose: 0));
        Assert.Contains("(features, targets) pairs", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Predict(Dataset.FromTensorSlices(noBody).Batch(Batch)));
        Assert.Contains("missing body", e.Message);
        // A model that is not functional has no input names to match.
        var sequential = new Sequential(Layers.Input([Tags]), new Layers.Dense(1));
        sequential.Compile("sgd", "mse");
        e = Assert.Throws<ArgumentException>(() => sequential.Fit(Dataset.FromTensorSlices(features, targets["priority"]).Batch(Batch), verbose: 0));
        Assert.Contains("functional model", e.Message);
    }
}

public sealed class ManagedDictionaryDatasetTrainingTests() : DictionaryDatasetTrainingTests("managed");

public sealed class NativeCpuDictionaryDatasetTrainingTests() : DictionaryDatasetTrainingTests("cpu");

public sealed class CudaDictionaryDatasetTrainingTests() : DictionaryDatasetTrainingTests("cuda");
