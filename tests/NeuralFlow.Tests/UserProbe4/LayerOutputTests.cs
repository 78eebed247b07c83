using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// Keras' <c>layer.output</c> / <c>layer.input</c> and <c>model.inputs</c> of a Sequential, for the
/// feature extraction of Keras' FAQ: <c>keras.Model(inputs=model.inputs,
/// outputs=model.get_layer("x").output)</c>. Layers had no Output, and a Sequential's Inputs were
/// empty even when it started from Layers.Input. As Keras 3's Operation.output, a shared layer's
/// Output is its first call's, and a layer never called on symbolic tensors has none.
/// </summary>
public abstract class LayerOutputTests(string backend) : BackendTest(backend)
{
    private static Tensor X() => NF.Reshape(NF.Sin(NF.Range(0f, 12f) * 0.7f), [3, 4]);

    [SkippableFact]
    public void A_functional_models_intermediate_layer_gives_a_feature_extractor()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var input = Layers.Input([4], name: "features");
        var hiddenLayer = new Layers.Dense(5, activation: "tanh", name: "hidden");
        var output = new Layers.Dense(2, name: "head").Call(hiddenLayer.Call(input));
        var model = new Model(input, output);

        var extractor = new Model(model.Inputs, model.GetLayer("hidden").Output);
        // Keras: the extractor computes the layers up to "hidden", with the same weights.
        var expected = hiddenLayer.Call(X());
        Assert.Equal(expected.ToArray<float>(), extractor.Predict(X(), verbose: 0).ToArray<float>());
        Assert.Same(input, model.Input);
        Assert.Same(output, model.Output);
        Assert.Same(input, hiddenLayer.Input);
        Assert.Same(input, model.GetLayer("features").Output);
        Assert.Same(input, model.GetLayer("features").Input);
    }

    [SkippableFact]
    public void A_sequential_started_from_an_input_has_inputs_and_layer_outputs()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        var seq = new Sequential(Layers.Input([4]), new Layers.Dense(6, activation: "relu"), new Layers.Dense(3));
        var extractor = new Model(seq.Inputs, seq.Layers.Select(l => l.Output).ToArray());
        var outputs = extractor.PredictOutputs(X());
        Assert.Equal(seq.Layers[0].Call(X()).ToArray<float>(), outputs[0].ToArray<float>());
        Assert.Equal(seq.Predict(X(), verbose: 0).ToArray<float>(), outputs[1].ToArray<float>());
        Assert.Same(seq.Layers[1].Output, seq.Output);

        // Build(shape) makes the same symbolic graph (Keras 3's Sequential.build).
        var built = new Sequential(new Layers.Dense(2));
        built.Build([4]);
        Assert.Equal(new int?[] { null, 2 }, built.Output.Shape);
        Assert.Single(built.Inputs);
    }

    [SkippableFact]
    public void A_shared_layers_output_is_its_first_call_and_later_calls_are_by_index()
    {
        RequireBackend();
        var a = Layers.Input([4]);
        var b = Layers.Input([4]);
        var shared = new Layers.Dense(3);
        var ya = shared.Call(a);
        var yb = shared.Call(b);
        Assert.Same(ya, shared.Output);
        Assert.Same(yb, shared.GetOutputsAt(1)[0]);
        Assert.Same(b, shared.GetInputsAt(1)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shared.GetOutputsAt(2));

        var joined = new Layers.Concatenate();
        joined.Call([ya, yb]);
        var error = Assert.Throws<InvalidOperationException>(() => joined.Input);
        Assert.Contains("GetInputsAt(0)", error.Message);
        Assert.Equal(2, joined.GetInputsAt(0).Count);
    }

    [SkippableFact]
    public void Without_a_symbolic_call_there_is_no_output_and_the_message_says_why()
    {
        RequireBackend();
        var dense = new Layers.Dense(2, name: "lonely");
        dense.Call(X());   // an eager call makes no node, as in Keras
        var error = Assert.Throws<InvalidOperationException>(() => dense.Output);
        Assert.Contains("lonely", error.Message);
        Assert.Contains("never been called", error.Message);
        Assert.Empty(new Sequential(new Layers.Dense(2)).Inputs);

        var input = Layers.Input([4]);
        var twoHeads = new Model(input, [new Layers.Dense(1).Call(input), new Layers.Dense(2).Call(input)]);
        Assert.Contains("Outputs", Assert.Throws<InvalidOperationException>(() => twoHeads.Output).Message);
    }
}

public sealed class ManagedLayerOutputTests() : LayerOutputTests("managed");

public sealed class NativeCpuLayerOutputTests() : LayerOutputTests("cpu");

public sealed class CudaLayerOutputTests() : LayerOutputTests("cuda");
