using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// The merge layers on every backend: values against hand-computed references and gradients
/// against finite differences in float64, directly and as nodes of a functional model.
/// </summary>
public abstract class MergeLayerTests(string backend) : BackendTest(backend)
{
    private static readonly float[] A = [1, -2, 3, 0.5f, 4, -1];
    private static readonly float[] B = [2, 5, -3, 0.5f, -4, 0];
    private static readonly float[] C = [0, 1, 1, 2, 2, -2];

    [SkippableFact]
    public void Elementwise_merges_give_keras_values()
    {
        RequireBackend();
        using var a = NF.Constant(A, [2, 3]);
        using var b = NF.Constant(B, [2, 3]);
        using var c = NF.Constant(C, [2, 3]);
        Assert.Equal(new float[] { 3, 4, 1, 3, 2, -3 }, new Layers.Add().Call([a, b, c]).ToArray<float>());
        Assert.Equal(new float[] { -1, -7, 6, 0, 8, -1 }, new Layers.Subtract().Call([a, b]).ToArray<float>());
        Assert.Equal(new float[] { 0, -10, -9, 0.5f, -32, 0 }, new Layers.Multiply().Call([a, b, c]).ToArray<float>());
        Assert.Equal(new float[] { 1, 4f / 3, 1f / 3, 1, 2f / 3, -1 }, new Layers.Average().Call([a, b, c]).ToArray<float>());
        Assert.Equal(new float[] { 2, 5, 3, 2, 4, 0 }, new Layers.Maximum().Call([a, b, c]).ToArray<float>());
        Assert.Equal(new float[] { 0, -2, -3, 0.5f, -4, -2 }, new Layers.Minimum().Call([a, b, c]).ToArray<float>());
    }

    [SkippableFact]
    public void Concatenate_joins_along_its_axis()
    {
        RequireBackend();
        using var a = NF.Constant(A, [2, 3]);
        using var b = NF.Constant(B[..4], [2, 2]);
        var y = new Layers.Concatenate().Call([a, b]);
        Assert.Equal(new Shape(2, 5), y.Shape);
        Assert.Equal(new float[] { 1, -2, 3, 2, 5, 0.5f, 4, -1, -3, 0.5f }, y.ToArray<float>());
        using var c = NF.Constant(C, [2, 3]);
        var rows = new Layers.Concatenate(axis: 0).Call([a, c]);
        Assert.Equal(new Shape(4, 3), rows.Shape);
        Assert.Equal(A.Concat(C).ToArray(), rows.ToArray<float>());
        // Symbolic: the shapes add up along the axis.
        var joined = new Layers.Concatenate(axis: 1).Call([Layers.Input([3]), Layers.Input([4]), Layers.Input([1])]);
        Assert.Equal(new int?[] { null, 8 }, joined.Shape);
    }

    [SkippableFact]
    public void Merge_gradients_match_finite_differences()
    {
        RequireBackend();
        var shape = new[] { 2, 3 };
        Layer[] layers = [new Layers.Add(), new Layers.Subtract(), new Layers.Multiply(), new Layers.Average(), new Layers.Maximum(), new Layers.Minimum()];
        foreach (var layer in layers)
            GradientTests.Check(t => layer.Call(t), GradientTests.In(shape, 1), GradientTests.In(shape, 2));
        foreach (var layer in new Layer[] { new Layers.Add(), new Layers.Multiply(), new Layers.Maximum(), new Layers.Average() })
            GradientTests.Check(t => layer.Call(t), GradientTests.In(shape, 3), GradientTests.In(shape, 4), GradientTests.In(shape, 5));
        GradientTests.Check(t => new Layers.Concatenate().Call(t), GradientTests.In([2, 3], 6), GradientTests.In([2, 2], 7));
        GradientTests.Check(t => new Layers.Concatenate(axis: 1).Call(t), GradientTests.In([2, 1, 2], 8), GradientTests.In([2, 3, 2], 9));
    }

    [SkippableFact]
    public void Gradients_flow_through_a_merge_node_of_a_model()
    {
        RequireBackend();
        var a = Layers.Input([3], DType.Float64);
        var b = Layers.Input([3], DType.Float64);
        var model = new Model([a, b], [new Layers.Multiply().Call([new Layers.Subtract().Call([a, b]), a])]);
        // (a - b) * a: d/da = 2a - b, d/db = -a.
        GradientTests.Check(t => model.Call(t), GradientTests.In([2, 3], 10), GradientTests.In([2, 3], 11));
    }
}

public sealed class ManagedMergeLayerTests() : MergeLayerTests("managed");

public sealed class NativeCpuMergeLayerTests() : MergeLayerTests("cpu");

public sealed class CudaMergeLayerTests() : MergeLayerTests("cuda");
