using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.UserProbe7;

/// <summary>
/// Compile/Fit/Evaluate/Predict with what the workshop's exercises produce by accident: float64
/// inputs, a last partial batch, sample weights that are mostly zero, uint8 class ids of shape
/// (N, 1), batches of one example through BatchNormalization and Dropout, and no data at all.
/// References: training_edge_references.py beside this file (Keras' arithmetic in NumPy).
/// </summary>
public abstract class TrainingEdgeTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y) Line()
    {
        var x = new double[10, 2];
        var y = new double[10, 1];
        for (int i = 0; i < 20; i++) x[i / 2, i % 2] = -1.0 + 3.0 * i / 19;
        for (int i = 0; i < 10; i++) y[i, 0] = 2 * x[i, 0] - x[i, 1] + 0.5;
        return (NF.Constant(x), NF.Constant(y));
    }

    [SkippableFact]
    public void Float64_data_with_a_last_partial_batch_trains_as_keras()
    {
        RequireBackend();
        var (x, y) = Line();
        var dense = new Layers.Dense(1, kernelInitializer: "ones", name: "probe7_line");
        var model = new Sequential(dense);
        model.Compile(new Optimizers.SGD(0.1), "mse");
        var history = model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        AssertClose([0.5158231258392334, 0.4946158826351166], dense.Kernel!.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6, "kernel");
        AssertClose([-0.13431215286254883], dense.Bias!.ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6, "bias");
        // The epoch's loss weighs each batch by its size (4, 4, 2).
        Assert.Equal(0.5470805168151855, history["loss"][0], 5);
        var w = NF.Constant(new float[] { 1, 0, 0, 0, 2, 1, 0, 3, 1, 0 });
        Assert.Equal(0.12263963222503663, model.Evaluate(x, y, batchSize: 4, sampleWeight: w).Loss, 5);
        Assert.Equal(0f, model.Evaluate(x, y, batchSize: 3, sampleWeight: NF.Zeros([10])).Loss);
        Assert.Equal(new Shape(10, 1), model.Predict(x, batchSize: 3, verbose: 0).Shape);
    }

    [SkippableFact]
    public void Batches_of_one_through_batch_normalization_and_dropout_stay_finite()
    {
        RequireBackend();
        var x = NF.Constant(new float[,] { { 0.5f, -1, 2 }, { 1, 1, 1 }, { -2, 0, 0.25f } });
        var labels = NF.Constant(new byte[,] { { 2 }, { 0 }, { 1 } });
        var model = new Sequential(
            new Layers.Dense(4, activation: "relu", name: "probe7_hidden"),
            new Layers.BatchNormalization(name: "probe7_bn"),
            new Layers.Dropout(0.5),
            new Layers.Dense(3, name: "probe7_logits"));
        model.Compile(new Optimizers.Adam(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var history = model.Fit(x, labels, batchSize: 1, epochs: 2, verbose: 0);
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l), $"loss {l}"));
        var (loss, accuracy) = model.Evaluate(x, labels, batchSize: 1);
        Assert.True(float.IsFinite(loss));
        Assert.InRange(accuracy, 0f, 1f);
        Assert.All(model.Predict(x, batchSize: 1, verbose: 0).ToArray<float>(), v => Assert.True(float.IsFinite(v)));
    }

    [SkippableFact]
    public void Fitting_no_examples_is_refused_with_a_clear_message()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(1, name: "probe7_empty"));
        model.Compile(new Optimizers.SGD(0.1), "mse");
        var e = Assert.ThrowsAny<Exception>(() => { model.Fit(NF.Zeros([0, 2]), NF.Zeros([0, 1]), batchSize: 4, verbose: 0); });
        Assert.True(e is ArgumentException or InvalidOperationException, e.GetType().Name + ": " + e.Message);
        Assert.Contains("Fit", e.Message);
        var empty = global::NeuralFlow.Data.Dataset.FromTensorSlices(NF.Zeros([0, 2]), NF.Zeros([0, 1])).Batch(4);
        var e2 = Assert.ThrowsAny<Exception>(() => { model.Fit(empty, verbose: 0); });
        Assert.True(e2 is ArgumentException or InvalidOperationException, e2.GetType().Name + ": " + e2.Message);
    }
}

public sealed class ManagedTrainingEdgeTests() : TrainingEdgeTests("managed");

public sealed class NativeCpuTrainingEdgeTests() : TrainingEdgeTests("cpu");

public sealed class CudaTrainingEdgeTests() : TrainingEdgeTests("cuda");
