using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// A functional model made of layers and symbolic operations trains as Keras 3's does: gradients
/// flow through every op (checked against central finite differences in float64), Fit lowers the
/// loss and moves the weights of the layer before the ops, and NF.Function's traced replay of the
/// model gives its values.
/// </summary>
public abstract class SymbolicOpsTrainingTests(string backend) : BackendTest(backend)
{
    // Every op on one path from the input to a scalar per example.
    private static Model OpsGraph()
    {
        var x = Layers.Input([3], dtype: DType.Float64);
        var mixed = NF.MatMul(x, NF.Constant(new double[,] { { 1, -0.5 }, { 0.25, 2 }, { -1, 0.5 } }));
        var y = NF.Sigmoid(x * 2 + 1) * NF.Tanh(x) / (NF.Square(x) + 1)
                + NF.Softmax(x)[.., 0..1] * NF.Exp(-x)
                + NF.Sqrt(NF.Abs(x) + 1) - NF.Log(NF.Square(x) + 2) + NF.Relu(x - 0.1)
                + NF.ReduceMean(NF.Concat([mixed, x], axis: -1), -1, keepDims: true)
                - 3 / (NF.ReduceMax(NF.Stack([x, -x], axis: 1), 1) + 4);
        var z = NF.Reshape(NF.Transpose(NF.ExpandDims(y, 1), [0, 2, 1]), [-1, 3]);
        return new Model(x, NF.ReduceSum(NF.Squeeze(NF.ExpandDims(z, -1), -1), -1));
    }

    [SkippableFact]
    public void Gradients_through_the_ops_equal_finite_differences()
    {
        RequireBackend();
        UserProbe17.SymbolicOps2FiniteDifferences.AssertGradientMatches(OpsGraph(), [0.3, -0.7, 1.2, -0.2, 0.9, 0.05], [2, 3], tolerance: 1e-6);
    }

    [SkippableFact]
    public void Fit_lowers_the_loss_through_the_ops_and_trains_the_layer_before_them()
    {
        RequireBackend();
        NF.Random.SetSeed(16);
        var input = Layers.Input([4]);
        var dense = new Layers.Dense(6, name: "before_ops");
        var h = dense.Call(input);
        var features = NF.Concat([NF.Relu(h) * 0.5, NF.Tanh(h[.., ..3]) - 1], axis: -1);
        var output = new Layers.Dense(1, name: "after_ops").Call(features / 2);
        var model = new Model(input, output);
        model.Compile(new Optimizers.Adam(0.02f), new Losses.MeanSquaredError());
        var x = NF.Random.Normal([64, 4]);
        var y = NF.ReduceSum(x, 1, keepDims: true) * 0.5f;
        var before = dense.GetWeights()[0].ToArray<float>();
        var history = model.Fit(x, y, batchSize: 16, epochs: 8, verbose: 0);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));
        Assert.NotEqual(before, dense.GetWeights()[0].ToArray<float>());
        var evaluated = model.Evaluate(x, y, verbose: 0);
        Assert.True(evaluated["loss"] < history["loss"][0]);
        Assert.Equal(model.Call(x).ToArray<float>(), model.Predict(x, batchSize: 16).ToArray<float>());
    }

    [SkippableFact]
    public void A_traced_function_replays_the_model()
    {
        RequireBackend();
        var model = OpsGraph();
        var traced = NF.Function(t => model.Call(t));
        var a = NF.Constant(new[] { 0.3, -0.7, 1.2, -0.2, 0.9, 0.05 }, [2, 3]);
        var b = NF.Constant(new[] { 1.3, 0.7, -1.2, 0.2, -0.9, 2.05 }, [2, 3]);
        Assert.Equal(model.Call(a).ToArray<double>(), traced(a).ToArray<double>());
        Assert.Equal(model.Call(b).ToArray<double>(), traced(b).ToArray<double>());
    }
}

public sealed class ManagedSymbolicOpsTrainingTests() : SymbolicOpsTrainingTests("managed");

public sealed class NativeCpuSymbolicOpsTrainingTests() : SymbolicOpsTrainingTests("cpu");

public sealed class CudaSymbolicOpsTrainingTests() : SymbolicOpsTrainingTests("cuda");
