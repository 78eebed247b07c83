using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// Keras' input_shape argument, with which the CNN, save-and-load and custom-training tutorials start their
/// Sequential models (<c>layers.Dense(10, activation='relu', input_shape=(4,))</c>): Layer.InputShape on the first
/// layer starts the model with an Input of that shape, so it is built at once (summary counts, predict, save), as
/// Keras 3 does; on any other layer it is ignored, as in Keras. Before, no layer took an input shape.
/// </summary>
public abstract class LayerInputShapeTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void The_first_layers_input_shape_builds_the_sequential_model()
    {
        RequireBackend();
        NF.Random.SetSeed(2207);
        var model = new Sequential(
            new Layers.Dense(10, activation: "relu") { InputShape = [4] },
            new Layers.Dense(10, activation: "relu") { InputShape = [99] },   // not first: ignored, as Keras
            new Layers.Dense(3));
        Assert.True(model.Built);
        Assert.Equal(3, model.Layers.Count);   // the input is not one of the layers, as Keras' model.layers
        Assert.Equal(4 * 10 + 10 + 10 * 10 + 10 + 10 * 3 + 3, model.CountParams());
        Assert.Contains("(None, 3)", model.SummaryText());
        Assert.Equal(new[] { 2, 3 }, model.Predict(NF.Ones(new Shape(2, 4))).Shape.ToArray());
        Assert.Equal(new int?[] { 4 }, model.Layers[0].InputShape);
        Assert.Contains(model.Layers[0].Name + ": expects inputs with last dimension", Assert.Throws<ArgumentException>(() => model.Call(NF.Ones(new Shape(2, 5)))).Message);

        // Added one by one, with an unknown length (None), and saved before any call.
        var conv = new Sequential();
        conv.Add(new Layers.Conv1D(2, 3) { InputShape = [null, 1] });
        conv.Add(new Layers.GlobalMaxPooling1D());
        Assert.Equal(3 * 1 * 2 + 2, conv.CountParams());
        Assert.Equal(new[] { 1, 2 }, conv.Predict(NF.Ones(new Shape(1, 7, 1))).Shape.ToArray());
        string path = Temp.File("input_shape.keras");
        model.Save(path);
        var reloaded = Models.LoadModel(path);
        var x = NF.Constant(new[,] { { 0.5f, -1f, 2f, 0f } });
        Assert.Equal(model.Predict(x).ToArray<float>(), reloaded.Predict(x).ToArray<float>());

        Assert.Throws<ArgumentException>(() => new Layers.Dense(1) { InputShape = [-2] });
    }
}

/// <summary>Layer.InputShape on the managed backend.</summary>
public sealed class ManagedLayerInputShapeTests() : LayerInputShapeTests("managed");

/// <summary>Layer.InputShape on the native CPU backend.</summary>
public sealed class NativeCpuLayerInputShapeTests() : LayerInputShapeTests("cpu");

/// <summary>Layer.InputShape on CUDA.</summary>
public sealed class CudaLayerInputShapeTests() : LayerInputShapeTests("cuda");
