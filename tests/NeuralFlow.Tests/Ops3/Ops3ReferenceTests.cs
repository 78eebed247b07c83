using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Every Ops3 op against ops3_fixtures.json (make_ops3_fixtures.py: NumPy/PyTorch 1.13 float64
/// values and PyTorch's gradients of sum(f * w); TensorFlow's clip formulas written out term by
/// term), on every backend.
/// </summary>
public abstract class Ops3ReferenceTests(string backend) : BackendTest(backend)
{
    public sealed record OpCase(string Name, double[][] Inputs, int[][] Shapes, double[] Out, int[] OutShape, double[] W, double[][] Grads, long[]? Idx);

    private static readonly Lazy<OpCase[]> Cases = new(() => FixtureFile.Cases<OpCase>("Ops3", "ops3_fixtures.json"));

    private static Tensor Index(Tensor t) => NF.Cast(t, DType.Int64);
    private static Tensor Bool(Tensor t) => NF.Cast(t, DType.Bool);

    // The NF call of each fixture, by name (the inputs in the fixture's order).
    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Ops = new()
    {
        ["tan"] = t => NF.Tan(t[0]),
        ["atan"] = t => NF.Atan(t[0]),
        ["asin"] = t => NF.Asin(t[0]),
        ["acos"] = t => NF.Acos(t[0]),
        ["sinh"] = t => NF.Sinh(t[0]),
        ["cosh"] = t => NF.Cosh(t[0]),
        ["asinh"] = t => NF.Asinh(t[0]),
        ["acosh"] = t => NF.Acosh(t[0]),
        ["atanh"] = t => NF.Atanh(t[0]),
        ["atan2"] = t => NF.Atan2(t[0], t[1]),
        ["atan2_columns"] = t => NF.Atan2(t[0], t[1]),
        ["squared_difference"] = t => NF.SquaredDifference(t[0], t[1]),
        ["tril"] = t => NF.Tril(t[0]),
        ["tril_k1"] = t => NF.Tril(t[0], 1),
        ["triu"] = t => NF.Triu(t[0]),
        ["triu_km1"] = t => NF.Triu(t[0], -1),
        ["band_part_1_2"] = t => NF.BandPart(t[0], 1, 2),
        ["band_part_0_0"] = t => NF.BandPart(t[0], 0, 0),
        ["band_part_m1_0"] = t => NF.BandPart(t[0], -1, 0),
        ["diag"] = t => NF.Diag(t[0]),
        ["diag_part"] = t => NF.DiagPart(t[0]),
        ["diag_part_tall"] = t => NF.DiagPart(t[0]),
        ["trace"] = t => NF.Trace(t[0]),
        ["outer"] = t => NF.Outer(t[0], t[1]),
        ["clip_by_norm_clipped"] = t => NF.ClipByNorm(t[0], 1.5),
        ["clip_by_norm_within"] = t => NF.ClipByNorm(t[0], 50),
        ["clip_by_norm_axis1"] = t => NF.ClipByNorm(t[0], 1.0, [1]),
        ["clip_by_global_norm_0"] = t => NF.ClipByGlobalNorm([t[0], t[1]], 2.0).ListClipped[0]!,
        ["clip_by_global_norm_1"] = t => NF.ClipByGlobalNorm([t[0], t[1]], 2.0).ListClipped[1]!,
        ["global_norm"] = t => NF.ClipByGlobalNorm([t[0], t[1]], 2.0).GlobalNorm,
        ["boolean_mask_full"] = t => NF.BooleanMask(t[0], Bool(t[1])),
        ["boolean_mask_rows"] = t => NF.BooleanMask(t[0], Bool(t[1])),
        ["boolean_mask_axis2"] = t => NF.BooleanMask(t[0], Bool(t[1]), axis: 2),
        ["boolean_mask_2d_mask"] = t => NF.BooleanMask(t[0], Bool(t[1])),
        ["gather_nd_pairs"] = t => NF.GatherNd(t[0], Index(t[1])),
        ["gather_nd_rows"] = t => NF.GatherNd(t[0], Index(t[1])),
        ["gather_nd_elements"] = t => NF.GatherNd(t[0], Index(t[1])),
        ["gather_nd_batch1"] = t => NF.GatherNd(t[0], Index(t[1]), batchDims: 1),
        ["scatter_nd_rows_dup"] = t => NF.ScatterNd(Index(t[0]), t[1], new Shape(5, 3)),
        ["scatter_nd_elements_dup"] = t => NF.ScatterNd(Index(t[0]), t[1], new Shape(3, 3)),
        ["tensor_scatter_update"] = t => NF.TensorScatterUpdate(t[0], Index(t[1]), t[2]),
        ["tensor_scatter_add"] = t => NF.TensorScatterAdd(t[0], Index(t[1]), t[2]),
        ["roll_1_axis1"] = t => NF.Roll(t[0], 1, 1),
        ["roll_m5_axis0"] = t => NF.Roll(t[0], -5, 0),
        ["roll_both"] = t => NF.Roll(t[0], [2, -1], [0, 1]),
        ["roll_repeated_axis"] = t => NF.Roll(t[0], [1, 2], [1, -1]),
        ["slice"] = t => NF.Slice(t[0], [1, 0, 0], [2, 2, -1]),
        ["repeat_axis0"] = t => NF.Repeat(t[0], 2, 0),
        ["repeat_flat"] = t => NF.Repeat(t[0], 3),
        ["repeat_list_axis1"] = t => NF.Repeat(t[0], [1, 0, 3], 1),
        ["meshgrid_xy_0"] = t => NF.Meshgrid(t[0], t[1], t[2])[0],
        ["meshgrid_xy_1"] = t => NF.Meshgrid(t[0], t[1], t[2])[1],
        ["meshgrid_ij_2"] = t => NF.Meshgrid([t[0], t[1], t[2]], "ij")[2],
        ["linspace_tensor_axis1"] = t => NF.Linspace(t[0], t[1], 5, axis: 1),
        ["linspace_tensor_axis_m1"] = t => NF.Linspace(t[0], t[1], 4, axis: -1),
    };

    [SkippableFact]
    public void Values_and_gradients_match_NumPy_and_PyTorch()
    {
        RequireBackend();
        int checkedCases = 0;
        foreach (var c in Cases.Value)
        {
            if (!Ops.TryGetValue(c.Name, out var op)) continue;
            var inputs = c.Inputs.Select((v, i) => NF.Constant(v, new Shape(c.Shapes[i]))).ToArray();
            using var tape = new GradientTape();
            for (int i = 0; i < inputs.Length; i++) if (c.Grads.Length > 0 && c.Grads[i].Length > 0) tape.Watch(inputs[i]);
            var y = op(inputs);
            Assert.True(new Shape(c.OutShape) == y.Shape, $"{c.Name}: shape {y.Shape}, expected [{string.Join(", ", c.OutShape)}]");
            AssertClose(c.Out, y.ToArray<double>(), 1e-12, 1e-14, c.Name);
            if (c.Grads.Length > 0)
            {
                var watched = Enumerable.Range(0, inputs.Length).Where(i => c.Grads[i].Length > 0).ToArray();
                var grads = tape.Gradient(NF.ReduceSum(y * NF.Constant(c.W, y.Shape)), watched.Select(i => inputs[i]).ToArray());
                for (int j = 0; j < watched.Length; j++)
                {
                    // No gradient (TensorFlow's None) where the output does not depend on the input: PyTorch's zeros.
                    if (grads[j] is null)
                    {
                        Assert.True(c.Grads[watched[j]].All(v => v == 0), $"{c.Name}: no gradient for input {watched[j]}");
                        continue;
                    }
                    AssertClose(c.Grads[watched[j]], grads[j].ToArray<double>(), 1e-11, 1e-13, $"{c.Name} d/d input {watched[j]}");
                }
            }
            checkedCases++;
        }
        Assert.Equal(Ops.Count, checkedCases);
    }

    [SkippableFact]
    public void Unique_keeps_first_occurrence_order_as_tf_unique()
    {
        RequireBackend();
        var c = Cases.Value.Single(k => k.Name == "unique");
        var (y, idx) = NF.Unique(NF.Constant(c.Inputs[0]));
        Assert.Equal(c.Out, y.ToArray<double>());
        Assert.Equal(DType.Int32, idx.DType);
        Assert.Equal(c.Idx!.Select(i => (int)i).ToArray(), idx.ToArray<int>());
    }

    [SkippableFact]
    public void Linspace_matches_NumPy()
    {
        RequireBackend();
        foreach (var c in Cases.Value.Where(k => k.Name.StartsWith("linspace_", StringComparison.Ordinal) && !Ops.ContainsKey(k.Name)))
        {
            var (start, stop, num) = (c.Inputs[0][0], c.Inputs[0][1], (int)c.Inputs[0][2]);
            var l64 = NF.Linspace(start, stop, num, DType.Float64);
            Assert.Equal(c.Out, l64.ToArray<double>());
            var l32 = NF.Linspace(start, stop, num);
            Assert.Equal(c.Out.Select(v => (float)v).ToArray(), l32.ToArray<float>());
        }
    }
}

public sealed class ManagedOps3ReferenceTests() : Ops3ReferenceTests("managed");

public sealed class NativeCpuOps3ReferenceTests() : Ops3ReferenceTests("cpu");

public sealed class CudaOps3ReferenceTests() : Ops3ReferenceTests("cuda");
