using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// Keras' merge layers broadcast a length of 1 past the batch (base_merge._compute_elemwise_op_output_shape), as
/// EfficientNet's squeeze-and-excite Multiply of a (N, H, W, C) map by (N, 1, 1, C) scales needs; they refused it
/// ("needs inputs of one shape"). Different batch sizes and lengths that neither equal nor are 1 are still refused.
/// </summary>
public abstract class Applications3MergeBroadcastTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Multiply_and_add_broadcast_a_length_of_one_as_keras()
    {
        RequireBackend();
        var map = NF.Constant(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new Shape(1, 2, 2, 2));
        var scale = NF.Constant(new float[] { 10, 100 }, new Shape(1, 1, 1, 2));
        Assert.Equal([10f, 200, 30, 400, 50, 600, 70, 800], new Layers.Multiply().Call([map, scale]).ToArray<float>());
        // The first input may be the one that broadcasts.
        Assert.Equal([11f, 102, 13, 104, 15, 106, 17, 108], new Layers.Add().Call([scale, map]).ToArray<float>());

        // Symbolically, in a functional model (the output has the larger shape), and trained through.
        var x = Layers.Input([4, 4, 3]);
        var se = new Layers.GlobalAveragePooling2D(keepdims: true).Call(x);
        var y = new Layers.Multiply(name: "excite").Call([x, new Layers.Dense(3, activation: "sigmoid").Call(se)]);
        Assert.Equal(new int?[] { null, 4, 4, 3 }, y.Shape);
        var model = new Model(x, y);
        Assert.Equal(new Shape(2, 4, 4, 3), model.Predict(NF.Ones(new Shape(2, 4, 4, 3))).Shape);

        // Keras' refusals: another batch size, lengths neither equal nor 1 (inputs of other ranks: UserProbe29 MergeRankAlignTests).
        Assert.Contains("batch size", Assert.Throws<ArgumentException>(() => new Layers.Multiply().Call([NF.Ones(new Shape(2, 3)), NF.Ones(new Shape(1, 3))])).Message);
        Assert.Throws<ArgumentException>(() => new Layers.Add().Call([NF.Ones(new Shape(2, 3)), NF.Ones(new Shape(2, 4))]));
    }
}

/// <summary>Merge broadcasting on the managed backend.</summary>
public sealed class ManagedApplications3MergeBroadcastTests() : Applications3MergeBroadcastTests("managed");

/// <summary>Merge broadcasting on the native CPU backend.</summary>
public sealed class NativeCpuApplications3MergeBroadcastTests() : Applications3MergeBroadcastTests("cpu");

/// <summary>Merge broadcasting on the CUDA backend.</summary>
public sealed class CudaApplications3MergeBroadcastTests() : Applications3MergeBroadcastTests("cuda");
