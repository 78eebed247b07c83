namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// TensorFlow's "Introduction to tensor slicing" guide (guide/tensor_slicing.ipynb) as a C# reader
/// writes it, with the values TensorFlow prints (the notebook ships without outputs; they follow
/// from each op's documented semantics and are checked by guides_slicing_references.py), plus the
/// edge inputs a user hits: negative and out-of-range indices, empty index lists, int64 indices and
/// duplicate scatter positions.
/// </summary>
public abstract class GuidesSlicingTests(string backend) : BackendTest(backend)
{
    private static Tensor T2() => NF.Constant(new[,] { { 0, 1, 2, 3, 4 }, { 5, 6, 7, 8, 9 }, { 10, 11, 12, 13, 14 }, { 15, 16, 17, 18, 19 } });

    private static Tensor T5() => NF.Reshape(NF.Range(0, 18), [2, 3, 3]);

    [SkippableFact]
    public void Slices_and_strided_slices_as_the_guide_prints_them()
    {
        RequireBackend();
        var t1 = NF.Constant(new[] { 0, 1, 2, 3, 4, 5, 6, 7 });
        Assert.Equal(new[] { 1, 2, 3 }, NF.Slice(t1, [1], [3]).ToArray<int>());
        Assert.Equal(new[] { 1, 2, 3 }, t1[1..4].ToArray<int>());
        Assert.Equal(new[] { 5, 6, 7 }, t1[^3..].ToArray<int>());
        var t2 = T2();
        var block = t2[..^1, 1..3];
        Assert.Equal(new Shape(3, 2), block.Shape);
        Assert.Equal(new[] { 1, 2, 6, 7, 11, 12 }, block.ToArray<int>());
        var t3 = NF.Constant(new[, ,] { { { 1, 3, 5, 7 }, { 9, 11, 13, 15 } }, { { 17, 19, 21, 23 }, { 25, 27, 29, 31 } } });
        var s = NF.Slice(t3, [1, 1, 0], [1, 1, 2]);
        Assert.Equal(new Shape(1, 1, 2), s.Shape);
        Assert.Equal(new[] { 25, 27 }, s.ToArray<int>());
        Assert.Equal(new[] { 0, 3, 6 }, t1[NF.Step(.., 3)].ToArray<int>());
        Assert.Equal(new[] { 7, 5, 3, 1 }, t1[NF.Step(.., -2)].ToArray<int>());
    }

    [SkippableFact]
    public void Gather_and_gather_nd_as_the_guide_prints_them()
    {
        RequireBackend();
        var t1 = NF.Constant(new[] { 0, 1, 2, 3, 4, 5, 6, 7 });
        Assert.Equal(new[] { 0, 3, 6 }, NF.Gather(t1, NF.Constant(new[] { 0, 3, 6 })).ToArray<int>());
        var t4 = NF.Constant(new[,] { { 0, 5 }, { 1, 6 }, { 2, 7 }, { 3, 8 }, { 4, 9 } });
        var rows = NF.GatherNd(t4, NF.Constant(new[,] { { 2 }, { 3 }, { 0 } }));
        Assert.Equal(new Shape(3, 2), rows.Shape);
        Assert.Equal(new[] { 2, 7, 3, 8, 0, 5 }, rows.ToArray<int>());
        var t5 = T5();
        Assert.Equal(new[] { 0, 16 }, NF.GatherNd(t5, NF.Constant(new[,] { { 0, 0, 0 }, { 1, 2, 1 } })).ToArray<int>());
        var two = NF.GatherNd(t5, NF.Constant(new[, ,] { { { 0, 0 }, { 0, 2 } }, { { 1, 0 }, { 1, 2 } } }));
        Assert.Equal(new Shape(2, 2, 3), two.Shape);
        Assert.Equal(new[] { 0, 1, 2, 6, 7, 8, 9, 10, 11, 15, 16, 17 }, two.ToArray<int>());
        var one = NF.GatherNd(t5, NF.Constant(new[,] { { 0, 0 }, { 0, 2 }, { 1, 0 }, { 1, 2 } }));
        Assert.Equal(new Shape(4, 3), one.Shape);
        Assert.Equal(new[] { 0, 1, 2, 6, 7, 8, 9, 10, 11, 15, 16, 17 }, one.ToArray<int>());
    }

    [SkippableFact]
    public void Scatters_as_the_guide_prints_them()
    {
        RequireBackend();
        var scattered = NF.ScatterNd(NF.Constant(new[,] { { 1 }, { 3 }, { 5 }, { 7 }, { 9 } }), NF.Constant(new[] { 2, 4, 6, 8, 10 }), new Shape(10));
        Assert.Equal(new[] { 0, 2, 0, 4, 0, 6, 0, 8, 0, 10 }, scattered.ToArray<int>());
        var newIndices = NF.Constant(new[,] { { 0, 2 }, { 2, 1 }, { 3, 3 } });
        var t7 = NF.GatherNd(T2(), newIndices);
        Assert.Equal(new[] { 2, 11, 18 }, t7.ToArray<int>());
        var t8 = NF.ScatterNd(newIndices, t7, new Shape(4, 5));
        Assert.Equal(new[] { 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 11, 0, 0, 0, 0, 0, 0, 18, 0 }, t8.ToArray<int>());
        var t11 = NF.Constant(new[,] { { 2, 7, 0 }, { 9, 0, 1 }, { 0, 3, 8 } });
        var diag = NF.Constant(new[,] { { 0, 2 }, { 1, 1 }, { 2, 0 } });
        Assert.Equal(new[] { 2, 7, 6, 9, 5, 1, 4, 3, 8 }, NF.TensorScatterNdAdd(t11, diag, NF.Constant(new[] { 6, 5, 4 })).ToArray<int>());
        var t13 = NF.TensorScatterNdSub(t11, NF.Constant(new[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 1, 2 }, { 2, 1 }, { 2, 2 } }),
            NF.Constant(new[] { 1, 7, 9, -1, 1, 3, 7 }));
        Assert.Equal(new[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, t13.ToArray<int>());
        var t14 = NF.Constant(new[,] { { -2, -7, 0 }, { -9, 0, 1 }, { 0, -3, -8 } });
        Assert.Equal(new[] { -2, -7, -6, -9, -5, 1, -4, -3, -8 }, NF.TensorScatterNdMin(t14, diag, NF.Constant(new[] { -6, -5, -4 })).ToArray<int>());
        Assert.Equal(new[] { -2, -7, 6, -9, 5, 1, 4, -3, -8 }, NF.TensorScatterNdMax(t14, diag, NF.Constant(new[] { 6, 5, 4 })).ToArray<int>());
    }

    [SkippableFact]
    public void Index_edges_negative_out_of_range_empty_and_int64()
    {
        RequireBackend();
        var t1 = NF.Constant(new[] { 0, 1, 2, 3, 4, 5, 6, 7 });
        // TensorFlow on CPU: "indices[1] = -1 is not in [0, 8)".
        Assert.Throws<ArgumentException>(() => NF.Gather(t1, NF.Constant(new[] { 0, -1 })).ToArray<int>());
        Assert.Throws<ArgumentException>(() => NF.Gather(t1, NF.Constant(new[] { 8 })).ToArray<int>());
        Assert.Throws<ArgumentException>(() => NF.Gather(t1, NF.Constant(new[] { 8L })).ToArray<int>());
        Assert.Equal(new[] { 7, 0 }, NF.Gather(t1, NF.Constant(new[] { 7L, 0L })).ToArray<int>());
        var empty = NF.Gather(T2(), NF.Constant(Array.Empty<int>()));
        Assert.Equal(new Shape(0, 5), empty.Shape);
        var emptyCols = NF.Gather(T2(), NF.Constant(Array.Empty<long>()), axis: 1);
        Assert.Equal(new Shape(4, 0), emptyCols.Shape);
        Assert.Equal(new Shape(0, 3), NF.GatherNd(T5(), NF.Constant(new int[0, 2])).Shape);
        Assert.Equal(new[] { 3, 8 }, NF.Gather(NF.Constant(new[,] { { 0, 5 }, { 1, 6 }, { 2, 7 }, { 3, 8 } }), NF.Constant(3L)).ToArray<int>());
        Assert.Equal(new[] { 4, 9, 14, 19 }, NF.Gather(T2(), NF.Constant(4), axis: -1).ToArray<int>());
        var e = Assert.Throws<ArgumentException>(() => NF.GatherNd(T5(), NF.Constant(new[,] { { 0, 3 } })).ToArray<int>());
        Assert.Contains("3", e.Message);
        Assert.Throws<ArgumentException>(() => NF.GatherNd(T5(), NF.Constant(new[,] { { -1, 0 } })).ToArray<int>());
        Assert.Throws<ArgumentException>(() => NF.ScatterNd(NF.Constant(new[,] { { 10 } }), NF.Constant(new[] { 1 }), new Shape(10)).ToArray<int>());
        Assert.Throws<ArgumentException>(() => NF.ScatterNd(NF.Constant(new[,] { { -1 } }), NF.Constant(new[] { 1f }), new Shape(10)).ToArray<float>());
        Assert.Throws<ArgumentException>(() => NF.TensorScatterNdUpdate(NF.Zeros([3]), NF.Constant(new[,] { { 3L } }), NF.Constant(new[] { 1f })).ToArray<float>());
        Assert.Throws<ArgumentException>(() => NF.TensorScatterNdMax(NF.Zeros([3]), NF.Constant(new[,] { { -1 } }), NF.Constant(new[] { 1f })).ToArray<float>());
        // An empty scatter: nothing changes.
        Assert.Equal(new[] { 0f, 0f, 0f }, NF.ScatterNd(NF.Constant(new int[0, 1]), NF.Constant(Array.Empty<float>()), new Shape(3)).ToArray<float>());
        Assert.Equal(new[] { 1f, 2f }, NF.TensorScatterNdUpdate(NF.Constant(new[] { 1f, 2f }), NF.Constant(new long[0, 1]), NF.Constant(Array.Empty<float>())).ToArray<float>());
        Assert.Equal(new[] { 1, 2 }, NF.TensorScatterNdMin(NF.Constant(new[] { 1, 2 }), NF.Constant(new long[0, 1]), NF.Constant(Array.Empty<int>())).ToArray<int>());
    }

    [SkippableFact]
    public void Duplicate_scatter_positions_combine_as_tensorflow()
    {
        RequireBackend();
        var at = NF.Constant(new[,] { { 1L }, { 1L }, { 3L }, { 1L } });
        // scatter_nd sums duplicates.
        Assert.Equal(new[] { 0, 7, 0, 3, 0 }, NF.ScatterNd(at, NF.Constant(new[] { 1, 2, 3, 4 }), new Shape(5)).ToArray<int>());
        Assert.Equal(new[] { 0.0, 7, 0, 3, 0 }, NF.ScatterNd(at, NF.Constant(new[] { 1.0, 2, 3, 4 }), new Shape(5)).ToArray<double>());
        var x = NF.Constant(new[] { 10f, 10f, 10f, 10f, 10f });
        Assert.Equal(new[] { 10f, 17f, 10f, 13f, 10f }, NF.TensorScatterNdAdd(x, at, NF.Constant(new[] { 1f, 2f, 3f, 4f })).ToArray<float>());
        Assert.Equal(new[] { 10f, 3f, 10f, 7f, 10f }, NF.TensorScatterNdSub(x, at, NF.Constant(new[] { 1f, 2f, 3f, 4f })).ToArray<float>());
        Assert.Equal(new[] { 10f, 1f, 10f, 3f, 10f }, NF.TensorScatterNdMin(x, at, NF.Constant(new[] { 1f, 12f, 3f, 4f })).ToArray<float>());
        Assert.Equal(new[] { 10f, 12f, 10f, 13f, 10f }, NF.TensorScatterNdMax(x, at, NF.Constant(new[] { 1f, 12f, 13f, 4f })).ToArray<float>());
        Assert.Equal(new[] { 0, 7, 0, 3, 0 }, NF.Cast(NF.ScatterNd(at, NF.Cast(NF.Constant(new[] { 1, 2, 3, 4 }), DType.UInt8), new Shape(5)), DType.Int32).ToArray<int>());
        Assert.Equal(new[] { 0L, 7, 0, 3, 0 }, NF.ScatterNd(at, NF.Constant(new[] { 1L, 2, 3, 4 }), new Shape(5)).ToArray<long>());
    }

    [SkippableFact]
    public void Boolean_mask_picks_rows_and_elements()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var picked = NF.BooleanMask(x, NF.Constant(new[] { true, false, true }));
        Assert.Equal(new Shape(2, 2), picked.Shape);
        Assert.Equal(new[] { 1, 2, 5, 6 }, picked.ToArray<int>());
        Assert.Equal(new[] { 2, 4, 6 }, NF.BooleanMask(x, NF.Constant(new[] { false, true }), axis: 1).ToArray<int>());
        Assert.Equal(new[] { 4, 5, 6 }, NF.BooleanMask(x, x > 3).ToArray<int>());
        Assert.Equal(new Shape(0, 2), NF.BooleanMask(x, NF.Constant(new[] { false, false, false })).Shape);
    }

    [SkippableFact]
    public void Half_precision_bool_and_empty_tuple_edges()
    {
        RequireBackend();
        var at = NF.Constant(new[,] { { 1 }, { 1 }, { 0 } });
        var half = NF.Cast(NF.Constant(new[] { 1f, 2f, 3f }), DType.Float16);
        var scattered = NF.ScatterNd(at, half, new Shape(3));
        Assert.Equal(DType.Float16, scattered.DType);
        Assert.Equal(new[] { 3f, 3f, 0f }, NF.Cast(scattered, DType.Float32).ToArray<float>());
        var added = NF.TensorScatterNdAdd(NF.Cast(NF.Ones([3]), DType.Float16), at, half);
        Assert.Equal(new[] { 4f, 4f, 1f }, NF.Cast(added, DType.Float32).ToArray<float>());
        var maxed = NF.TensorScatterNdMax(NF.Cast(NF.Ones([3]), DType.Float16), at, half);
        Assert.Equal(new[] { 3f, 2f, 1f }, NF.Cast(maxed, DType.Float32).ToArray<float>());
        Assert.Equal(new[] { 2f, 3f }, NF.Cast(NF.GatherNd(half, NF.Constant(new[,] { { 1 }, { 2 } })), DType.Float32).ToArray<float>());
        Assert.Equal(new[] { 1f, 3f }, NF.Cast(NF.BooleanMask(half, NF.Constant(new[] { true, false, true })), DType.Float32).ToArray<float>());

        var flags = NF.Constant(new[,] { { true, false }, { false, false } });
        Assert.Equal(new[] { false, false, true, false }, NF.Gather(flags, NF.Constant(new[] { 1, 0 })).ToArray<bool>());
        Assert.Equal(new[] { true }, NF.GatherNd(flags, NF.Constant(new[,] { { 0, 0 } })).ToArray<bool>());
        Assert.Equal(new[] { false, true, false, true }, NF.ScatterNd(NF.Constant(new[,] { { 1 }, { 3 } }), NF.Constant(new[] { true, true }), new Shape(4)).ToArray<bool>());
        Assert.Equal(new[] { true, false, false, true }, NF.TensorScatterNdUpdate(NF.Reshape(flags, [4]), NF.Constant(new[,] { { 3 } }), NF.Constant(new[] { true })).ToArray<bool>());

        // Index tuples of length 0 name the whole params: gather_nd(params, [[], []]) stacks it twice.
        var whole = NF.GatherNd(T2(), NF.Constant(new int[2, 0]));
        Assert.Equal(new Shape(2, 4, 5), whole.Shape);
        Assert.Equal(T2().ToArray<int>().Concat(T2().ToArray<int>()), whole.ToArray<int>());
        // uint8 indices, and scatter into a shape with a zero axis.
        Assert.Equal(new[] { 6, 7, 8, 9 }, NF.GatherNd(T2(), NF.Cast(NF.Constant(new[,] { { 1 } }), DType.UInt8))[0, 1..].ToArray<int>());
        Assert.Equal(new Shape(3, 0), NF.ScatterNd(NF.Constant(new[,] { { 1 } }), NF.Zeros([1, 0]), new Shape(3, 0)).Shape);
    }

    [SkippableFact]
    public void Slicing_a_variable_differentiates_into_it()
    {
        RequireBackend();
        var v = new Variable(NF.Reshape(NF.Range(0f, 6f), [2, 3]));
        using var tape = new GradientTape();
        var picked = NF.ReduceSum(v[.., NF.Step(.., -2)]) + NF.ReduceSum(NF.Gather(v, NF.Constant(new[] { 1, 1 }), axis: 1))
                     + NF.ReduceSum(NF.GatherNd(v, NF.Constant(new[,] { { 0, 1 } })));
        Assert.Equal(new[] { 1f, 3f, 1f, 1f, 2f, 1f }, tape.Gradient(picked, v).ToArray<float>());
    }

    [SkippableFact]
    public void Gradients_of_the_slicing_ops_match_finite_differences()
    {
        RequireBackend();
        var rows = NF.Constant(new[] { 2, 0, 2, 1 });
        GradientTests.Check(t => NF.Gather(t[0], rows), GradientTests.In([3, 2], 1));
        GradientTests.Check(t => NF.Gather(t[0], rows, axis: 1), GradientTests.In([2, 3], 2));
        var tuples = NF.Constant(new[,] { { 0, 2 }, { 2, 1 }, { 0, 2 } });
        GradientTests.Check(t => NF.GatherNd(t[0], tuples), GradientTests.In([3, 3, 2], 3));
        GradientTests.Check(t => NF.ScatterNd(tuples, t[0], new Shape(3, 3, 2)), GradientTests.In([3, 2], 4));
        var distinct = NF.Constant(new[,] { { 0, 2 }, { 2, 1 } });
        GradientTests.Check(t => NF.TensorScatterNdUpdate(t[0], distinct, t[1]), GradientTests.In([3, 3], 5), GradientTests.In([2], 6));
        GradientTests.Check(t => NF.TensorScatterNdAdd(t[0], tuples, t[1]), GradientTests.In([3, 3, 2], 7), GradientTests.In([3, 2], 8));
        GradientTests.Check(t => NF.TensorScatterNdSub(t[0], tuples, t[1]), GradientTests.In([3, 3, 2], 9), GradientTests.In([3, 2], 10));
        GradientTests.Check(t => NF.TensorScatterNdMax(t[0], distinct, t[1]), GradientTests.In([3, 3], 11), GradientTests.In([2], 12));
        GradientTests.Check(t => NF.TensorScatterNdMin(t[0], distinct, t[1]), GradientTests.In([3, 3], 13), GradientTests.In([2], 14));
        GradientTests.Check(t => NF.BooleanMask(t[0], NF.Constant(new[] { true, false, true })), GradientTests.In([3, 2], 15));
        GradientTests.Check(t => NF.Slice(t[0], [1, 0], [2, -1]), GradientTests.In([3, 2], 16));
        GradientTests.Check(t => t[0][NF.Step(.., -2), 1..], GradientTests.In([5, 3], 17));
    }
}

/// <summary>The tensor slicing guide, on the managed backend.</summary>
public sealed class ManagedGuidesSlicingTests() : GuidesSlicingTests("managed");

/// <summary>The tensor slicing guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuidesSlicingTests() : GuidesSlicingTests("cpu");

/// <summary>The tensor slicing guide, on the CUDA backend.</summary>
public sealed class CudaGuidesSlicingTests() : GuidesSlicingTests("cuda");
