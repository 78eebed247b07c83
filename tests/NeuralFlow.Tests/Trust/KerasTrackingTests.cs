using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Variable and sublayer discovery (Keras' attribute tracking): cycles end, and variables held
/// in arrays, lists and dictionaries are found, each once, in a deterministic order.
/// </summary>
public abstract class KerasTrackingTests(string backend) : BackendTest(backend)
{
    // A sublayer holding a reference back to its model: discovery used to recurse forever.
    sealed class Head : Layer
    {
        public Model? Owner;
        readonly Layers.Dense _dense = new(2);
        public override Tensor Call(Tensor x) => _dense.Call(x);
    }

    sealed class Cyclic : Model
    {
        readonly Head _head = new();
        public Cyclic() => _head.Owner = this;
        public override Tensor Call(Tensor x) => _head.Call(x);
    }

    [SkippableFact]
    public void A_cycle_back_to_the_model_is_visited_once()
    {
        RequireBackend();
        var model = new Cyclic();
        model.Call(NF.Ones([4, 3]));
        Assert.Equal(2, model.TrainableVariables.Count);
        Assert.Equal(3 * 2 + 2, model.CountParams());
        Assert.Single(model.SubLayers);
    }

    // Weights held only in collections, as Keras tracks lists and dicts of layers and variables.
    sealed class Collections : Model
    {
        readonly Variable[] _scales = [new Variable(NF.Ones([3]), name: "scale0"), new Variable(NF.Ones([3]), name: "scale1")];
        readonly List<Variable> _shifts = [new Variable(NF.Zeros([3]), name: "shift")];
        readonly List<Layer> _stack = [new Layers.Dense(3, name: "list_dense")];
        readonly Dictionary<string, Layer> _heads = new() { ["b"] = new Layers.Dense(1, name: "head_b"), ["a"] = new Layers.Dense(1, name: "head_a") };
        readonly Layer[] _extra = [new Layers.Dense(3, name: "array_dense")];
        readonly List<int> _notWeights = [1, 2, 3];

        public override Tensor Call(Tensor x)
        {
            x = x * _scales[0] * _scales[1] + _shifts[0];
            x = _extra[0].Call(_stack[0].Call(x));
            return _heads["a"].Call(x) + _heads["b"].Call(x) + _notWeights.Count * 0f;
        }
    }

    [SkippableFact]
    public void Variables_in_arrays_lists_and_dictionaries_are_found_once_in_key_order()
    {
        RequireBackend();
        var model = new Collections();
        model.Call(NF.Ones([2, 3]));
        var names = model.TrainableVariables.Select(v => v.Name!).ToArray();
        // Own variables first (fields in declaration order), then sublayers; dictionaries by key.
        Assert.Equal(
            ["scale0", "scale1", "shift", "list_dense/kernel", "list_dense/bias", "head_a/kernel", "head_a/bias",
             "head_b/kernel", "head_b/bias", "array_dense/kernel", "array_dense/bias"],
            names);
        // The same order every time (a dictionary is not read in its insertion order).
        var again = new Collections();
        again.Call(NF.Ones([2, 3]));
        Assert.Equal(names, again.TrainableVariables.Select(v => v.Name!).ToArray());
    }

    [SkippableFact]
    public void Fit_trains_variables_held_in_collections()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var model = new Collections();
        model.Compile("sgd", "mse");
        var x = NF.Random.Normal([32, 3]);
        var y = NF.Random.Normal([32, 1]);
        model.Call(x);
        var before = model.TrainableVariables.Select(v => v.ToArray<float>()).ToArray();
        Assert.Equal(11, before.Length);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        var after = model.TrainableVariables.Select(v => v.ToArray<float>()).ToArray();
        for (int i = 0; i < before.Length; i++)
            Assert.NotEqual(before[i], after[i]);
    }
}

public sealed class ManagedKerasTrackingTests() : KerasTrackingTests("managed");

public sealed class NativeCpuKerasTrackingTests() : KerasTrackingTests("cpu");

public sealed class CudaKerasTrackingTests() : KerasTrackingTests("cuda");
