using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// Initializer.Constant given many values (tf.constant_initializer(value) with a list or array, Keras'
/// Constant(value) with an array): the values fill the weight in row-major order when there are as many as the
/// weight has, a single one fills it all, and any other count is refused naming both shapes. Before, only a single
/// number was accepted. The values survive the layer's config and a .keras round trip.
/// </summary>
public abstract class ConstantInitializerValuesTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void An_array_of_the_weights_size_fills_it_in_row_major_order()
    {
        RequireBackend();
        // tf.keras.layers.Dense(2, kernel_initializer=tf.constant_initializer([1., 2., 3., 4., 5., 6.]), bias_initializer=Constant([0.5, -0.5]))
        var dense = new Layers.Dense(2, kernelInitializer: Initializer.Constant(new[] { 1f, 2f, 3f, 4f, 5f, 6f }),
                                     biasInitializer: Initializer.Constant(new[] { 0.5, -0.5 }));
        var model = new Sequential(Layers.Input([3]), dense);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, dense.Kernel!.ToArray<float>());
        Assert.Equal(new[] { 3, 2 }, dense.Kernel.Shape.ToArray());
        // [1, 1, 1] @ [[1, 2], [3, 4], [5, 6]] + [0.5, -0.5]
        Assert.Equal(new[] { 9.5f, 11.5f }, model.Predict(NF.Ones(new Shape(1, 3))).ToArray<float>());

        // A 2-D array and a tensor of the weight's size; a single element fills everything.
        var fromGrid = Initializer.Constant(new float[,] { { 1, 2 }, { 3, 4 } }).Create(new Shape(4), 4, 4);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, fromGrid.ToArray<float>());
        var fromTensor = Initializer.Constant(NF.Constant(new[] { 7.0, 8.0, 9.0, 10.0 })).Create(new Shape(2, 2), 2, 2);
        Assert.Equal(DType.Float32, fromTensor.DType);
        Assert.Equal(new[] { 7f, 8f, 9f, 10f }, fromTensor.ToArray<float>());
        Assert.Equal(new[] { 3f, 3f, 3f }, Initializer.Constant(new[] { 3 }).Create(new Shape(3), 3, 3).ToArray<float>());

        // TensorFlow: "Expected Tensor's shape: (3, 2), but got (4,)"; here both shapes named.
        var wrong = new Layers.Dense(2, kernelInitializer: Initializer.Constant(new[] { 1f, 2f, 3f, 4f }));
        var ex = Assert.Throws<ArgumentException>(() => new Sequential(Layers.Input([3]), wrong));
        Assert.Contains("(4,)", ex.Message);
        Assert.Contains("(3, 2)", ex.Message);
        Assert.Throws<ArgumentException>(() => Initializer.Constant(Array.Empty<float>()));
        Assert.Throws<ArgumentException>(() => Initializer.Constant(new[] { 1f, float.NaN }));

        // The values are the initializer's config (nested in their shape, as Keras serializes a list) and come back from it.
        var config = Initializer.Constant(new float[,] { { 1, 2 }, { 3, 4 } }).ToConfig();
        Assert.Equal("[[1,2],[3,4]]", config["config"]!["value"]!.ToJsonString());
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, Initializer.FromConfig(config)!.Create(new Shape(2, 2), 2, 2).ToArray<float>());
        string path = Temp.File("constant.keras");
        model.Save(path);
        var reloaded = (Sequential)Model.Load(path);
        Assert.Equal(model.Predict(NF.Ones(new Shape(1, 3))).ToArray<float>(), reloaded.Predict(NF.Ones(new Shape(1, 3))).ToArray<float>());
    }
}

/// <summary>Constant initializer values on the managed backend.</summary>
public sealed class ManagedConstantInitializerValuesTests() : ConstantInitializerValuesTests("managed");

/// <summary>Constant initializer values on the native CPU backend.</summary>
public sealed class NativeCpuConstantInitializerValuesTests() : ConstantInitializerValuesTests("cpu");

/// <summary>Constant initializer values on CUDA.</summary>
public sealed class CudaConstantInitializerValuesTests() : ConstantInitializerValuesTests("cuda");
