using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// A loss written as a C# function (Keras' <c>compile(loss=my_function)</c>, the music generation tutorial's
/// mse_with_positive_pressure) sees its targets as Keras' LossFunctionWrapper hands them over: converted to the
/// prediction's float dtype (float64 labels from NumPy or pandas beside float32 predictions), and brought to the
/// prediction's rank by squeeze_or_expand_to_same_rank, so labels (N,) beside predictions (N, 1) give N squared
/// errors, not the N x N pairs broadcasting makes (which failed with a dtype error, or gave a wrong mean).
/// </summary>
public abstract class CustomLossAlignmentTests(string backend) : BackendTest(backend)
{
    private static Tensor Mse(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Square(yTrue - yPred));

    [SkippableFact]
    public void Float64_labels_of_rank_one_meet_a_column_of_predictions_one_to_one()
    {
        RequireBackend();
        var yTrue = NF.Constant(new double[] { 1, 2, 3, 4 });
        var yPred = NF.Constant(new float[] { 1.5f, 2, 2, 5 }, new Shape(4, 1));
        Losses.Loss loss = (Func<Tensor, Tensor, Tensor>)Mse;
        // (0.25 + 0 + 1 + 1) / 4; the 4 x 4 pairs would give 2.5625.
        Assert.Equal(0.5625f, loss.Call(yTrue, yPred).Item<float>(), 6);
        Assert.Equal(DType.Float32, loss.Call(yTrue, yPred).DType);
        // The other way round: a column of labels beside predictions of rank one.
        Assert.Equal(0.5625f, loss.Call(NF.Reshape(yTrue, [4, 1]), NF.Reshape(yPred, [4])).Item<float>(), 6);
    }

    [SkippableFact]
    public void Class_ids_beside_class_scores_reach_the_function_as_given()
    {
        RequireBackend();
        Shape? seen = null;
        Losses.Loss loss = (Func<Tensor, Tensor, Tensor>)((t, p) =>
        {
            seen = t.Shape;
            return Losses.SparseCategoricalCrossentropy.PerExample(t, p);
        });
        var ids = NF.Constant(new long[] { 0, 2 });
        var probs = NF.Constant(new float[] { 0.5f, 0.25f, 0.25f, 0.1f, 0.1f, 0.8f }, new Shape(2, 3));
        double expected = -(Math.Log(0.5) + Math.Log(0.8)) / 2;
        Assert.Equal(expected, loss.Call(ids, probs).Item<float>(), 5);
        Assert.Equal(new Shape(2), seen);
    }

    [SkippableFact]
    public void Fit_and_evaluate_with_float64_targets_of_rank_one_give_the_one_to_one_mean()
    {
        RequireBackend();
        var x = NF.Constant(new float[] { 0, 1, 2, 3, 4, 5, 6, 7 }, new Shape(8, 1));
        var y = NF.Constant(new double[] { 1, 3, 5, 7, 9, 11, 13, 15 });
        var dense = new Layers.Dense(1, kernelInitializer: "zeros", biasInitializer: "zeros");
        var model = new Sequential(Layers.Input([1]), dense);
        model.Compile(new Optimizers.SGD(0.01), (Func<Tensor, Tensor, Tensor>)Mse);
        // Zero weights predict 0: the loss is the mean of y squared, 85; the pairs' mean would be the same here,
        // so a second check moves the predictions.
        Assert.Equal(85.0, model.Evaluate(x, y, verbose: 0)["loss"], 3);
        dense.Bias.Assign(NF.Constant(new float[] { 1 }));
        dense.Kernel.Assign(NF.Constant(new float[] { 2 }, new Shape(1, 1)));
        Assert.Equal(0.0, model.Evaluate(x, y, verbose: 0)["loss"], 5);   // exact fit; the pairs' mean would be 42
        var history = model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0);
        Assert.True(history["loss"].All(l => l < 1e-6), string.Join(", ", history["loss"]));
    }
}

/// <summary>Custom loss functions' target alignment on the managed backend.</summary>
public sealed class ManagedCustomLossAlignmentTests() : CustomLossAlignmentTests("managed");

/// <summary>Custom loss functions' target alignment on the native CPU backend.</summary>
public sealed class NativeCpuCustomLossAlignmentTests() : CustomLossAlignmentTests("cpu");

/// <summary>Custom loss functions' target alignment on CUDA.</summary>
public sealed class CudaCustomLossAlignmentTests() : CustomLossAlignmentTests("cuda");
