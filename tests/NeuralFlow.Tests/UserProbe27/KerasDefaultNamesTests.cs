using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// Keras 3's default names, which model.summary() prints and a dictionary of inputs is keyed by: keras.Input is an
/// InputLayer named input_layer, input_layer_1, ... and keras.Model(inputs, outputs) a Functional named functional,
/// functional_1, ... (NeuralFlow said input / input_1 and model / model_1, which neither Keras 2 nor 3 prints).
/// </summary>
public abstract class KerasDefaultNamesTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Inputs_and_functional_models_are_named_as_in_keras_3()
    {
        RequireBackend();
        var a = Layers.Input([3]);
        var b = Layers.Input([3]);
        Assert.Matches("^input_layer(_[0-9]+)?$", a.Name);
        Assert.Matches("^input_layer_[0-9]+$", b.Name);
        Assert.NotEqual(a.Name, b.Name);
        var model = new Model([a, b], new Layers.Dense(1).Call(new Layers.Concatenate().Call([a, b])));
        Assert.Matches("^functional(_[0-9]+)?$", model.Name);
        Assert.Equal([a.Name, b.Name], model.InputNames);
        Assert.Contains($"│ {a.Name} ", model.SummaryText());   // the name, then "(InputLayer)" on the next line, as Keras 3 wraps it
        // A dictionary of inputs keyed by the default names feeds the model.
        var x = NF.Ones([2, 3]);
        var byName = model.Predict(new Dictionary<string, Tensor> { [a.Name] = x, [b.Name] = x * 2f });
        Assert.Equal(model.Predict(new[] { x, x * 2f }).ToArray<float>(), byName.ToArray<float>());
        // Named inputs and models keep their names.
        Assert.Equal("pixels", Layers.Input([3], name: "pixels").Name);
        Assert.Equal("net", new Model(a, new Layers.Dense(1).Call(a), name: "net").Name);
    }
}

/// <summary>Default names, on the managed backend.</summary>
public sealed class ManagedKerasDefaultNamesTests() : KerasDefaultNamesTests("managed");

/// <summary>Default names, on the native CPU backend.</summary>
public sealed class NativeCpuKerasDefaultNamesTests() : KerasDefaultNamesTests("cpu");

/// <summary>Default names, on the CUDA backend.</summary>
public sealed class CudaKerasDefaultNamesTests() : KerasDefaultNamesTests("cuda");
