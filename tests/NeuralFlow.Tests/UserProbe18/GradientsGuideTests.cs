using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe18;

/// <summary>
/// TensorFlow's "Introduction to gradients" and "Introduction to variables" guides as C# readers
/// write them, with the guides' printed values: variables made from C# arrays
/// (<c>tf.Variable([2., 2.])</c> is <c>new Variable(new[] { 2f, 2f })</c>; before, only tensors and
/// scalars made variables) and gradients with respect to a dictionary of sources
/// (<c>tape.gradient(loss, {'w': w, 'b': b})</c>, whose result is keyed the same way; before, only lists).
/// </summary>
public abstract class GradientsGuideTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Variables_from_csharp_arrays_keep_shape_and_element_dtype()
    {
        RequireBackend();
        var v = new Variable(new[] { 2f, 2f });
        Assert.Equal(new Shape(2), v.Shape);
        Assert.Equal(DType.Float32, v.DType);
        Assert.True(v.Trainable);
        var m = new Variable(new float[,] { { 1, 2 }, { 3, 4 } }, name: "m");
        Assert.Equal(new Shape(2, 2), m.Shape);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, m.ToArray<float>());
        Assert.Equal("m", m.Name);
        var d = new Variable(new double[,,] { { { 1 }, { 2 } } }, trainable: false);
        Assert.Equal(new Shape(1, 2, 1), d.Shape);
        Assert.Equal(DType.Float64, d.DType);
        Assert.False(d.Trainable);
        var i = new Variable(new[] { 1, 2, 3 });
        Assert.Equal(DType.Int32, i.DType);
        Assert.Equal(DType.Int64, new Variable(new[] { 1L }).DType);
        Assert.Equal(DType.Bool, new Variable(new[] { true, false }).DType);
        Assert.Equal(new Shape(0), new Variable(Array.Empty<float>()).Shape);
        // The variables guide: assign keeps the shape, and the variable computes like a tensor.
        var a = new Variable(new[] { 2f, 3f });
        a.Assign(NF.Constant(new[] { 1f, 2f }));
        Assert.Equal(new[] { 1f, 2f }, a.ToArray<float>());
        Assert.Equal(new[] { 2f, 4f }, (a * 2f).ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => new Variable(new[] { new[] { 1f }, new[] { 2f } }));
        Assert.Contains("jagged", e.Message);
        Assert.Throws<ArgumentException>(() => new Variable(new[] { "a" }));
        Assert.Equal(new Shape(1, 2, 1, 1, 1), new Variable(new float[1, 2, 1, 1, 1]).Shape);
    }

    // The gradients guide: y = x @ w + b on x = [[1, 2, 3]], loss = mean(y**2); the same gradients
    // from a list of sources and from a dictionary of them.
    [SkippableFact]
    public void Gradients_with_respect_to_a_dictionary_are_keyed_as_the_sources()
    {
        RequireBackend();
        var w = new Variable(new float[,] { { 0.5f, -1f }, { 0.25f, 2f }, { -0.75f, 1f } }, name: "w");
        var b = new Variable(new float[2], name: "b");
        var x = NF.Constant(new float[,] { { 1, 2, 3 } });
        using var tape = new GradientTape(persistent: true);
        var y = NF.MatMul(x, w) + b;
        var loss = NF.ReduceMean(y * y);
        var listed = tape.Gradient(loss, [w, b]);
        var myVars = new Dictionary<string, Variable> { ["w"] = w, ["b"] = b };
        var grad = tape.Gradient(loss, myVars);
        Assert.Equal(new[] { "w", "b" }, grad.Keys);
        Assert.Equal(listed[0].ToArray<float>(), grad["w"].ToArray<float>());
        Assert.Equal(listed[1].ToArray<float>(), grad["b"].ToArray<float>());
        // y = [-1.25, 6]: dloss/db = y (the mean over two outputs halves 2y), dloss/dw = x^T y.
        Assert.Equal(new[] { -1.25f, 6f }, grad["b"].ToArray<float>());
        Assert.Equal(new[] { -1.25f, 6f, -2.5f, 12f, -3.75f, 18f }, grad["w"].ToArray<float>());

        // A source the target does not use: null, or zeros when asked.
        var unused = new Variable(new[] { 2f, 2f });
        var sources = new Dictionary<string, Tensor> { ["b"] = b, ["unused"] = unused };
        Assert.Null(tape.Gradient(loss, sources)["unused"]);
        Assert.Equal(new[] { 0f, 0f }, tape.Gradient(loss, sources, UnconnectedGradients.Zero)["unused"].ToArray<float>());
    }

    // A layer's weights by name, as the guide's "gradients with respect to a model" prints them.
    [SkippableFact]
    public void A_layers_gradients_by_variable_name()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var layer = new Layers.Dense(2, activation: "relu");
        var x = NF.Constant(new float[,] { { 1, 2, 3 } });
        using var tape = new GradientTape();
        var y = layer.Call(x);
        var loss = NF.ReduceMean(y * y);
        var grads = tape.Gradient(loss, layer.TrainableVariables.ToDictionary(v => v.Name!));
        Assert.Equal(new[] { "dense/kernel", "dense/bias" }.Select(n => n[n.IndexOf('/')..]), grads.Keys.Select(n => n[n.IndexOf('/')..]));
        Assert.Equal(new Shape(3, 2), grads.Values.First().Shape);
        Assert.Equal(new Shape(2), grads.Values.Last().Shape);
    }
}

/// <summary>The gradients and variables guides, on the managed backend.</summary>
public sealed class ManagedGradientsGuideTests() : GradientsGuideTests("managed");

/// <summary>The gradients and variables guides, on the native CPU backend.</summary>
public sealed class NativeCpuGradientsGuideTests() : GradientsGuideTests("cpu");

/// <summary>The gradients and variables guides, on the CUDA backend.</summary>
public sealed class CudaGradientsGuideTests() : GradientsGuideTests("cuda");
