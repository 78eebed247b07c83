using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe15;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// A subclassed model of several inputs as Keras users feed one: a dictionary of named arrays
/// (or a dataset of dictionaries) to Fit, Evaluate and Predict, which Keras hands to the model's
/// call as given, and Predict on a dataset of ((a, b), y) elements, whose first part Keras hands
/// whole. Before, a dictionary needed a functional model, and Predict(dataset) took one input.
/// </summary>
public abstract class SubclassedDictInputsTests(string backend) : BackendTest(backend)
{
    // Two named inputs, each through its own Dense, joined: the "title" and "body" of Keras' guide.
    private sealed class TwoTower : Model
    {
        private readonly Layers.Dense _title = new(4, activation: "tanh");
        private readonly Layers.Dense _body = new(4, activation: "tanh");
        private readonly Layers.Dense _head = new(1);

        public override Tensor Call(IReadOnlyDictionary<string, Tensor> inputs) =>
            _head.Call(NF.Concat([_title.Call(inputs["title"]), _body.Call(inputs["body"])], axis: -1));

        // The same computation with the inputs in order (title, body).
        public override Tensor Call(IReadOnlyList<Tensor> inputs) =>
            Call(new Dictionary<string, Tensor> { ["title"] = inputs[0], ["body"] = inputs[1] });
    }

    // A subclassed model that takes its inputs in order only.
    private sealed class OrderedPair : Model
    {
        private readonly Layers.Dense _dense = new(2);

        public override Tensor Call(IReadOnlyList<Tensor> inputs) => _dense.Call(inputs[0] - 2f * inputs[1]);
    }

    private static (Tensor Title, Tensor Body, Tensor Y) Data()
    {
        NF.Random.SetSeed(61);
        var title = NF.Random.Normal([40, 3]);
        var body = NF.Random.Normal([40, 5]);
        var y = NF.ReduceSum(title, axis: 1, keepDims: true) - NF.ReduceSum(body, axis: 1, keepDims: true);
        return (title, body, y);
    }

    [SkippableFact]
    public void A_dictionary_of_named_arrays_feeds_a_subclassed_models_dictionary_call()
    {
        RequireBackend();
        var (title, body, y) = Data();
        var model = new TwoTower();
        model.Compile(new Optimizers.Adam(0.02f), "mse");
        // "title" before "body": the model must get each by name, not by position.
        var x = new Dictionary<string, Tensor> { ["title"] = title, ["body"] = body };
        var history = model.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, shuffle: false);
        Assert.True(history["loss"][3] < history["loss"][0]);
        GuideAssert.Close(model.Call(x), model.Predict(x, batchSize: 16), 1e-5);
        Assert.Equal(model.Evaluate(x, y, batchSize: 40).Loss, model.Evaluate((title, body), y, batchSize: 40).Loss, 5);

        // A dataset of (dictionary, labels) trains and predicts the same way.
        var dataset = Dataset.FromTensorSlices(x, y).Batch(8);
        model.Fit(dataset, epochs: 1, verbose: 0);
        GuideAssert.Close(model.Call(x), model.Predict(dataset), 1e-5);
        GuideAssert.Close(model.Call(x), model.Predict(Dataset.FromTensorSlices(x).Batch(8)), 1e-5);
        // Then in order again: the list call serves.
        GuideAssert.Close(model.Call(x), model.Predict((title, body)), 1e-5);
    }

    [SkippableFact]
    public void A_model_without_a_dictionary_call_says_how_to_take_one()
    {
        RequireBackend();
        var (title, body, y) = Data();
        var model = new OrderedPair();
        model.Compile(new Optimizers.SGD(0.01f), "mse");
        var e = Assert.Throws<NotImplementedException>(() => model.Predict(new Dictionary<string, Tensor> { ["a"] = title, ["b"] = title }));
        Assert.Contains("Call(IReadOnlyDictionary<string, Tensor>)", e.Message);
        Assert.Contains("'a', 'b'", e.Message);
    }

    [SkippableFact]
    public void Predict_on_a_dataset_gives_a_subclassed_model_every_input_of_the_first_part()
    {
        RequireBackend();
        NF.Random.SetSeed(62);
        var a = NF.Random.Normal([12, 3]);
        var b = NF.Random.Normal([12, 3]);
        var y = NF.Random.Normal([12, 2]);
        var model = new OrderedPair();
        model.Compile(new Optimizers.SGD(0.01f), "mse");
        var pairs = Dataset.Zip(Dataset.Zip(Dataset.FromTensorSlices(a), Dataset.FromTensorSlices(b)), Dataset.FromTensorSlices(y)).Batch(5);
        model.Fit(pairs, epochs: 1, verbose: 0);
        var expected = model.Call([a, b]);
        GuideAssert.Close(expected, model.Predict(pairs), 1e-5);
        GuideAssert.Close(expected, model.Predict((a, b), batchSize: 5), 1e-5);
    }
}

/// <summary>Named and several inputs of subclassed models, on the managed backend.</summary>
public sealed class ManagedSubclassedDictInputsTests() : SubclassedDictInputsTests("managed");

/// <summary>Named and several inputs of subclassed models, on the native CPU backend.</summary>
public sealed class NativeCpuSubclassedDictInputsTests() : SubclassedDictInputsTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaSubclassedDictInputsTests() : SubclassedDictInputsTests("cuda");
