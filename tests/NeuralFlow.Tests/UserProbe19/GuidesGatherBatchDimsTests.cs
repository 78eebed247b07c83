namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// <c>tf.gather(params, indices, axis, batch_dims)</c> as <c>NF.Gather(x, indices, axis, batchDims)</c>:
/// each batch of indices picks from its own batch of params, axis defaulting to batchDims. Before,
/// NF.Gather had no batchDims (only GatherNd had). Values from guides_references.py.
/// </summary>
public abstract class GuidesGatherBatchDimsTests(string backend) : BackendTest(backend)
{
    private static Tensor P() => NF.Reshape(NF.Range(0, 24), [2, 3, 4]);

    [SkippableFact]
    public void Each_batch_gathers_from_its_own_params()
    {
        RequireBackend();
        var rows = NF.Gather(P(), NF.Constant(new[,] { { 2, 0 }, { 1, 1 } }), batchDims: 1);
        Assert.Equal(new Shape(2, 2, 4), rows.Shape);
        Assert.Equal(new[] { 8, 9, 10, 11, 0, 1, 2, 3, 16, 17, 18, 19, 16, 17, 18, 19 }, rows.ToArray<int>());
        Assert.Equal(rows.ToArray<int>(), NF.Gather(P(), NF.Constant(new[,] { { 2L, 0L }, { 1L, 1L } }), axis: 1, batchDims: -1).ToArray<int>());

        var columns = NF.Gather(P(), NF.Constant(new[,] { { 3, 0 }, { 1, 2 } }), axis: 2, batchDims: 1);
        Assert.Equal(new Shape(2, 3, 2), columns.Shape);
        Assert.Equal(new[] { 3, 0, 7, 4, 11, 8, 13, 14, 17, 18, 21, 22 }, columns.ToArray<int>());
        Assert.Equal(columns.ToArray<int>(), NF.Gather(P(), NF.Constant(new[,] { { 3, 0 }, { 1, 2 } }), axis: -1, batchDims: 1).ToArray<int>());

        var perBatch = NF.Gather(NF.Reshape(NF.Range(0, 6), [2, 3]), NF.Constant(new[] { 2, 0 }), axis: 1, batchDims: 1);
        Assert.Equal(new Shape(2), perBatch.Shape);
        Assert.Equal(new[] { 2, 3 }, perBatch.ToArray<int>());

        var two = NF.Gather(P(), NF.Constant(new[, ,] { { { 3 }, { 0 }, { 1 } }, { { 2 }, { 2 }, { 0 } } }), axis: 2, batchDims: 2);
        Assert.Equal(new Shape(2, 3, 1), two.Shape);
        Assert.Equal(new[] { 3, 4, 9, 14, 18, 20 }, two.ToArray<int>());

        var r = NF.Reshape(NF.Range(0, 48), [2, 3, 4, 2]);
        var middle = NF.Gather(r, NF.Constant(new[,] { { 3, 1 }, { 0, 0 } }), axis: 2, batchDims: 1);
        Assert.Equal(new Shape(2, 3, 2, 2), middle.Shape);
        Assert.Equal(new[] { 6, 7, 2, 3, 14, 15, 10, 11, 22, 23, 18, 19, 24, 25, 24, 25, 32, 33, 32, 33, 40, 41, 40, 41 }, middle.ToArray<int>());

        // Empty: no index per batch, and no batch at all.
        Assert.Equal(new Shape(2, 0, 4), NF.Gather(P(), NF.Constant(new int[2, 0]), batchDims: 1).Shape);
        Assert.Equal(new Shape(0, 2, 4), NF.Gather(NF.Zeros([0, 3, 4]), NF.Constant(new long[0, 2]), batchDims: 1).Shape);
    }

    [SkippableFact]
    public void Bad_batch_arguments_name_the_problem()
    {
        RequireBackend();
        var idx = NF.Constant(new[,] { { 2, 0 }, { 1, 1 } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.Gather(P(), idx, axis: 0, batchDims: 1));
        Assert.Contains("batchDims = 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Gather(P(), idx, batchDims: 3));
        var mismatch = Assert.Throws<ArgumentException>(() => NF.Gather(P(), NF.Constant(new[,] { { 0 }, { 1 }, { 2 } }), batchDims: 1));
        Assert.Contains("must match", mismatch.Message);
        var outside = Assert.Throws<ArgumentException>(() => NF.Gather(P(), NF.Constant(new[,] { { 3, 0 }, { 1, 1 } }), batchDims: 1).ToArray<int>());
        Assert.Contains("[0, 3)", outside.Message);
        Assert.Throws<ArgumentException>(() => NF.Gather(P(), NF.Constant(new[,] { { -1, 0 }, { 1, 1 } }), batchDims: 1).ToArray<int>());
    }

    [SkippableFact]
    public void A_traced_function_replays_it_and_still_checks_the_range()
    {
        RequireBackend();
        var p = NF.Cast(P(), DType.Float32);
        var f = NF.Function((Tensor idx) => NF.Gather(p, idx, axis: 2, batchDims: 1) * 2f);
        var a = NF.Constant(new[,] { { 3, 0 }, { 1, 2 } });
        var b = NF.Constant(new[,] { { 1, 1 }, { 0, 3 } });
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal((NF.Gather(p, a, axis: 2, batchDims: 1) * 2f).ToArray<float>(), f(a).ToArray<float>());
            Assert.Equal((NF.Gather(p, b, axis: 2, batchDims: 1) * 2f).ToArray<float>(), f(b).ToArray<float>());
        }
        Assert.ThrowsAny<ArgumentException>(() => f(NF.Constant(new[,] { { 4, 0 }, { 1, 2 } })).ToArray<float>());
    }

    [SkippableFact]
    public void The_gradient_matches_finite_differences()
    {
        RequireBackend();
        var idx = NF.Constant(new[,] { { 3, 0, 3 }, { 1, 2, 2 } });
        GradientTests.Check(t => NF.Gather(t[0], idx, axis: 2, batchDims: 1), GradientTests.In([2, 3, 4], 21));
        GradientTests.Check(t => NF.Gather(t[0], NF.Constant(new[] { 1, 1 }), batchDims: 1), GradientTests.In([2, 3, 2], 22));
    }
}

/// <summary>Gather with batch axes, on the managed backend.</summary>
public sealed class ManagedGuidesGatherBatchDimsTests() : GuidesGatherBatchDimsTests("managed");

/// <summary>Gather with batch axes, on the native CPU backend.</summary>
public sealed class NativeCpuGuidesGatherBatchDimsTests() : GuidesGatherBatchDimsTests("cpu");

/// <summary>Gather with batch axes, on the CUDA backend.</summary>
public sealed class CudaGuidesGatherBatchDimsTests() : GuidesGatherBatchDimsTests("cuda");
