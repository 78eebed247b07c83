using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.UserProbe7;

/// <summary>
/// The workshop's layers (Dense, Flatten, BatchNormalization, Dropout) fed what NumPy hands a
/// TF2 user: float64 arrays, int32 and uint8 pixels, a rank-1 batch. Keras' float32 layers cast
/// floating inputs to float32 and compute int inputs in float32 (keras.ops' result_type), so the
/// outputs are float32 with the values below (worked by hand; BatchNormalization's by NumPy:
/// (x - mean) / sqrt(var + 1e-3) over the batch).
/// </summary>
public abstract class LayerInputDtypeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Dense_casts_float64_int32_and_uint8_inputs_to_float32()
    {
        RequireBackend();
        var dense = new Layers.Dense(2, kernelInitializer: "ones", biasInitializer: "ones", name: "probe7_cast");
        foreach (var x in new[] { NF.Constant(new[,] { { 1.0, 2.0, 3.0 } }), NF.Constant(new[,] { { 1, 2, 3 } }), NF.Constant(new byte[,] { { 1, 2, 3 } }) })
        {
            var y = dense.Call(x);
            Assert.Equal(DType.Float32, y.DType);
            Assert.Equal([7f, 7f], y.ToArray<float>());
        }
        Assert.Equal(DType.Float32, dense.Kernel!.DType);
    }

    [SkippableFact]
    public void Flatten_keeps_the_batch_axis_of_any_rank()
    {
        RequireBackend();
        var flatten = new Layers.Flatten();
        // keras.layers.Flatten on (batch,) gives (batch, 1); on (batch, 2, 3) (batch, 6).
        Assert.Equal(new Shape(3, 1), flatten.Call(NF.Constant(new[] { 1f, 2f, 3f })).Shape);
        Assert.Equal(new Shape(2, 6), flatten.Call(NF.Zeros([2, 2, 3])).Shape);
        Assert.Equal(new Shape(0, 6), flatten.Call(NF.Zeros([0, 2, 3])).Shape);
    }

    [SkippableFact]
    public void Batch_normalization_of_float64_data_trains_in_float32()
    {
        RequireBackend();
        var bn = new Layers.BatchNormalization(name: "probe7_bn64");
        var x = NF.Constant(new[,] { { 1.0, -2.0 }, { 3.0, 0.0 }, { 5.0, 2.0 } });
        var y = bn.Call(x, training: true);
        Assert.Equal(DType.Float32, y.DType);
        // Column means 3 and 0, variances 8/3 each: (x - mean) / sqrt(8/3 + 1e-3).
        double s = Math.Sqrt(8.0 / 3 + 1e-3);
        AssertClose([-2 / s, -2 / s, 0, 0, 2 / s, 2 / s], y.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6, "bn");
        // One example: variance 0, the output is beta (0) and finite.
        Assert.Equal([0f, 0f], bn.Call(NF.Constant(new[,] { { 4.0, 4.0 } }), training: true).ToArray<float>());
        // Keras 3 takes rates in [0, 1] (a rate of 1 drops everything: UserProbe23/DropoutRateOneTests); above 1 is refused.
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Dropout(1.01)).ParamName);
    }
}

public sealed class ManagedLayerInputDtypeTests() : LayerInputDtypeTests("managed");

public sealed class NativeCpuLayerInputDtypeTests() : LayerInputDtypeTests("cpu");

public sealed class CudaLayerInputDtypeTests() : LayerInputDtypeTests("cuda");
