using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// Keras' lowercase merge functions, <c>layers.concatenate([a, b])</c>, <c>add</c>, <c>subtract</c>, <c>multiply</c>,
/// <c>average</c>, <c>maximum</c>, <c>minimum</c> and <c>dot</c>: one call that makes the merge layer and applies it,
/// on symbolic tensors of a functional model and on eager ones. Values from tensors_references.py.
/// </summary>
public abstract class TensorsMergeFunctionsTests(string backend) : BackendTest(backend)
{
    private static Tensor A() => NF.Constant(new float[,] { { 1, -2, 3 } });
    private static Tensor B() => NF.Constant(new float[,] { { 4, 5, -6 } });

    [SkippableFact]
    public void Functional_models_merge_with_the_lowercase_functions()
    {
        RequireBackend();
        var a = Layers.Input([3], name: "a");
        var b = Layers.Input([3], name: "b");
        var outputs = new[]
        {
            Layers.concatenate([a, b], axis: -1, name: "joined"),
            Layers.add([a, b]), Layers.subtract([a, b]), Layers.multiply([a, b]),
            Layers.average([a, b]), Layers.maximum([a, b]), Layers.minimum([a, b]),
            Layers.dot([a, b], axes: 1), Layers.dot([a, b], axes: [1, 1], normalize: true),
        };
        var model = new Model([a, b], outputs);
        // Each call made its layer, as keras.layers.concatenate makes a Concatenate layer.
        Assert.IsType<Layers.Concatenate>(model.GetLayer("joined"));
        Assert.Equal(2, model.Layers.OfType<Layers.Dot>().Count());
        Assert.Single(model.Layers.OfType<Layers.Subtract>());

        var y = model.PredictOutputs([A(), B()]);
        Assert.Equal([1f, -2, 3, 4, 5, -6], y[0].ToArray<float>());
        Assert.Equal([5f, 3, -3], y[1].ToArray<float>());
        Assert.Equal([-3f, -7, 9], y[2].ToArray<float>());
        Assert.Equal([4f, -10, -18], y[3].ToArray<float>());
        Assert.Equal([2.5f, 1.5f, -1.5f], y[4].ToArray<float>());
        Assert.Equal([4f, 5, 3], y[5].ToArray<float>());
        Assert.Equal([1f, -2, -6], y[6].ToArray<float>());
        Assert.Equal([-24f], y[7].ToArray<float>());
        Assert.Equal(-0.7309738397598267, y[8].Item<float>(), 5);
    }

    [SkippableFact]
    public void The_functions_apply_to_eager_tensors_and_check_their_inputs()
    {
        RequireBackend();
        Assert.Equal([1f, -2, 3, 4, 5, -6], Layers.concatenate([A(), B()]).ToArray<float>());
        Assert.Equal(new Shape(2, 3), Layers.concatenate([A(), B()], axis: 0).Shape);
        Assert.Equal([5f, 3, -3], Layers.add([A(), B()]).ToArray<float>());
        Assert.Equal([-24f], Layers.dot([A(), B()], axes: -1).ToArray<float>());
        // Keras' checks, through the layers: subtract takes exactly two inputs, add needs two or more of one shape.
        Assert.Throws<ArgumentException>(() => Layers.subtract([A(), B(), A()]));
        Assert.Throws<ArgumentException>(() => Layers.add([A()]));
        Assert.Throws<ArgumentException>(() => Layers.add([A(), NF.Zeros([1, 4])]));
        Assert.Throws<ArgumentNullException>(() => Layers.maximum((IReadOnlyList<Tensor>)null!));
    }
}

/// <summary>Merge functions on the managed backend.</summary>
public sealed class ManagedTensorsMergeFunctionsTests() : TensorsMergeFunctionsTests("managed");

/// <summary>Merge functions on the native CPU backend.</summary>
public sealed class NativeCpuTensorsMergeFunctionsTests() : TensorsMergeFunctionsTests("cpu");

/// <summary>Merge functions on CUDA.</summary>
public sealed class CudaTensorsMergeFunctionsTests() : TensorsMergeFunctionsTests("cuda");
