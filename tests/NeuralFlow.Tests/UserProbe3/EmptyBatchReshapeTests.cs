using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe3;

/// <summary>
/// Flatten and Reshape on a batch of 0 samples (Predict on 0 rows): Keras resolves the -1 from
/// one sample's shape, so (0, 3, 3) flattens to (0, 9) as torch.flatten(x, 1) does. Leaving the
/// -1 to the tensor reshape refused an empty batch (0 values fit any size), so a CNN's Predict on
/// 0 rows threw while Dense-only models returned (0, units).
/// </summary>
public abstract class EmptyBatchReshapeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Flatten_and_reshape_keep_an_empty_batch()
    {
        RequireBackend();
        Assert.Equal(new Shape(0, 9), new Layers.Flatten().Call(NF.Ones([0, 3, 3])).Shape);
        Assert.Equal(new Shape(0, 3, 4), new Layers.Reshape([3, -1]).Call(NF.Ones([0, 3, 4])).Shape);
        Assert.Equal(new Shape(0, 12), new Layers.Reshape([12]).Call(NF.Ones([0, 3, 4])).Shape);
        // An empty sample: torch.flatten(torch.ones(2, 0, 3), 1) has shape (2, 0).
        Assert.Equal(new Shape(2, 0), new Layers.Flatten().Call(NF.Ones([2, 0, 3])).Shape);
    }

    [SkippableFact]
    public void A_cnn_predicts_zero_rows()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Conv2D(2, 3), new Layers.MaxPooling2D(), new Layers.Flatten(), new Layers.Dense(4));
        model.Build([8, 8, 1]);
        Assert.Equal(new Shape(0, 4), model.Predict(NF.Ones([0, 8, 8, 1])).Shape);
        Assert.Equal(new Shape(3, 4), model.Predict(NF.Ones([3, 8, 8, 1]), batchSize: 2).Shape);
    }

    [SkippableFact]
    public void A_target_shape_that_does_not_fit_a_sample_names_the_layer()
    {
        RequireBackend();
        var error = Assert.Throws<ArgumentException>(() => new Layers.Reshape([5], name: "to_five").Call(NF.Ones([0, 3, 3])));
        Assert.Contains("to_five", error.Message);
        Assert.Contains("(3, 3)", error.Message);
        Assert.Throws<ArgumentException>(() => new Layers.Reshape([4, -1]).Call(NF.Ones([2, 3, 3])));
    }
}

public sealed class ManagedEmptyBatchReshapeTests() : EmptyBatchReshapeTests("managed");

public sealed class NativeCpuEmptyBatchReshapeTests() : EmptyBatchReshapeTests("cpu");

public sealed class CudaEmptyBatchReshapeTests() : EmptyBatchReshapeTests("cuda");
