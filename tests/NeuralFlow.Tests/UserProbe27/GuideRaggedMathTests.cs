using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// TensorFlow's "Ragged tensors" guide, its math cells: overloaded operators between ragged tensors, with scalars and
/// with broadcast dense tensors (cells 16-19, 91-93, 142-149), tf.ragged.map_flat_values, and reductions over the ragged
/// axis (cells 8, 81) — TF's reduce_mean of integers is float64 with NaN for an empty row, reduce_max of an empty row is
/// the dtype's lowest. Gradients reach the flat values and a traced NF.Function replays. Expected values from
/// guide_ragged_references.py.
/// </summary>
public abstract class GuideRaggedMathTests(string backend) : BackendTest(backend)
{
    private static RaggedTensor Digits() => NF.Ragged.Constant(new[] { new[] { 3, 1, 4, 1 }, [], [5, 9, 2], [6], [] });

    [SkippableFact]
    public void Operators_and_map_flat_values()
    {
        RequireBackend();
        var digits = Digits();
        Assert.Equal("<tf.RaggedTensor [[6, 4, 7, 4], [], [8, 12, 5], [9], []]>", (digits + 3).ToString());
        Assert.Equal(DType.Int32, (digits + 3).DType);
        var other = NF.Ragged.Constant(new[] { new[] { 1, 2, 3, 4 }, [], [5, 6, 7], [8], [] });
        Assert.Equal("<tf.RaggedTensor [[4, 3, 7, 5], [], [10, 15, 9], [14], []]>", (digits + other).ToString());
        Assert.Equal("<tf.RaggedTensor [[7, 3, 9, 3], [], [11, 19, 5], [13], []]>", NF.Ragged.MapFlatValues(x => x * 2 + 1, digits).ToString());
        Assert.Equal("<tf.RaggedTensor [[9, 1, 16, 1], [], [25, 81, 4], [36], []]>", digits.MapFlatValues(NF.Square).ToString());
        Assert.Equal("<tf.RaggedTensor [[9, 1, 16, 1], [], [25, 81, 4], [36], []]>", (digits * digits).ToString());
        Assert.Equal("<tf.RaggedTensor [[-3, -1, -4, -1], [], [-5, -9, -2], [-6], []]>", (-digits).ToString());
        Assert.Equal("<tf.RaggedTensor [[7, 9, 6, 9], [], [5, 1, 8], [4], []]>", (10 - digits).ToString());
        // Cell 91: x + y of the same rows.
        var x = NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3], [4, 5, 6] });
        var y = NF.Ragged.Constant(new[] { new[] { 1, 1 }, [2], [3, 3, 3] });
        Assert.Equal("<tf.RaggedTensor [[2, 3], [5], [7, 8, 9]]>", (x + y).ToString());
        Assert.Equal("<tf.RaggedTensor [[0.5, 1.0], [1.5], [2.0, 2.5, 3.0]]>", (NF.Ragged.Constant(new[] { new[] { 1f, 2f }, [3f], [4f, 5f, 6f] }) / 2f).ToString());
        Assert.Contains("the row partitions need 8 rows", Assert.Throws<ArgumentException>(() => digits.MapFlatValues(v => NF.Concat([v, v], 0))).Message);
    }

    [SkippableFact]
    public void Broadcasting_follows_the_guide()
    {
        RequireBackend();
        // Cell 142: a scalar. Cell 143: one value per row.
        Assert.Equal("<tf.RaggedTensor [[4, 5], [6]]>", (NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3] }) + 3).ToString());
        var x = NF.Ragged.Constant(new[] { new[] { 10, 87, 12 }, [19, 53], [12, 32] });
        Assert.Equal("<tf.RaggedTensor [[1010, 1087, 1012], [2019, 2053], [3012, 3032]]>", (x + NF.Constant(new[,] { { 1000 }, { 2000 }, { 3000 } })).ToString());
        // Cell 144: a [1, 1] tensor against (2, None, 2).
        var x3 = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3, 4], [5, 6] }, [[7, 8]] }, raggedRank: 1);
        Assert.Equal("<tf.RaggedTensor [[[11, 12], [13, 14], [15, 16]], [[17, 18]]]>", (x3 + NF.Constant(new[,] { { 10 } })).ToString());
        // Cell 145: [3] against (2, None, None, 1): the last axis broadcasts.
        var x4 = RaggedTensor.FromNestedRowSplits(NF.Constant(new[,] { { 1 }, { 2 }, { 3 }, { 4 }, { 5 }, { 6 }, { 7 } }), [0, 4, 6], [0, 2, 2, 3, 4, 6, 7]);
        Assert.Equal(
            "<tf.RaggedTensor [[[[11, 21, 31], [12, 22, 32]], [], [[13, 23, 33]], [[14, 24, 34]]], [[[15, 25, 35], [16, 26, 36]], [[17, 27, 37]]]]>",
            (x4 + NF.Constant(new[] { 10, 20, 30 })).ToString());
        // A per-row column on two ragged axes reaches every innermost value of its row.
        var two = NF.Ragged.Constant(new[] { new[] { new[] { 1 }, [2, 3] }, [[4]] });
        Assert.Equal("<tf.RaggedTensor [[[101], [102, 103]], [[204]]]>", (two + NF.Constant(new[,,] { { { 100 } }, { { 200 } } })).ToString());

        // Cells 147-149: shapes that do not broadcast.
        var bad = NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3, 4, 5, 6], [7] });
        Assert.Contains("ragged axis", Assert.Throws<ArgumentException>(() => bad + NF.Constant(new[,] { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 } })).Message);
        var a = NF.Ragged.Constant(new[] { new[] { 1, 2, 3 }, [4], [5, 6] });
        var b = NF.Ragged.Constant(new[] { new[] { 10, 20 }, [30, 40], [50] });
        Assert.Contains("row partitions differ", Assert.Throws<ArgumentException>(() => a + b).Message);
        var c = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3, 4], [5, 6] }, [[7, 8], [9, 10]] });
        var d = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2, 0 }, [3, 4, 0], [5, 6, 0] }, [[7, 8, 0], [9, 10, 0]] });
        Assert.Contains("row partitions differ", Assert.Throws<ArgumentException>(() => c + d).Message);
        Assert.Contains("give 1 or 3", Assert.Throws<ArgumentException>(() => x + NF.Constant(new[,] { { 1 }, { 2 } })).Message);
    }

    [SkippableFact]
    public void Reductions_over_the_ragged_axis()
    {
        RequireBackend();
        var digits = Digits();
        var mean = digits.ReduceMean(1);   // cell 8
        Assert.Equal(DType.Float64, mean.DType);
        var m = mean.ToArray<double>();
        Assert.Equal(new[] { 2.25, 5.333333333333333, 6.0 }, new[] { m[0], m[2], m[3] });
        Assert.True(double.IsNaN(m[1]) && double.IsNaN(m[4]), string.Join(", ", m));
        Assert.Equal(new[] { 9, 0, 16, 6, 0 }, digits.ReduceSum(1).ToArray<int>());
        Assert.Equal(new[] { 9, 0, 16, 6, 0 }, digits.ReduceSum(-1).ToArray<int>());
        Assert.Equal(new[] { 4, int.MinValue, 9, 6, int.MinValue }, digits.ReduceMax(1).ToArray<int>());
        Assert.Equal(new[] { 14, 10, 6, 1 }, digits.ReduceSum(0).ToArray<int>());
        // Cell 81: max_and_min over axis -1.
        var rt = NF.Ragged.Constant(new[] { new[] { 1, 2 }, [3], [4, 5, 6] });
        Assert.Equal(new[] { 2, 3, 6 }, rt.ReduceMax(-1).ToArray<int>());
        Assert.Equal(new[] { 1, 3, 4 }, rt.ReduceMin(-1).ToArray<int>());
        Assert.Equal(new[] { 2, 3, 120 }, rt.ReduceProd(1).ToArray<int>());
        var f = NF.Ragged.Constant(new[] { new[] { 1f, 2f }, [], [4f] }).ReduceMean(1).ToArray<float>();
        Assert.Equal(DType.Float32, NF.Ragged.Constant(new[] { new[] { 1f } }).ReduceMean(1).DType);
        Assert.True(f[0] == 1.5f && float.IsNaN(f[1]) && f[2] == 4f, string.Join(", ", f));
        // A uniform inner axis reduces inside each value; the ragged axis of (n, None, 2) gives [n, 2].
        var pairs = RaggedTensor.FromRowSplits(NF.Constant(new[,] { { 1, 3 }, { 0, 2 }, { 5, 3 } }), [0, 2, 3]);
        Assert.Equal(new[] { 1, 5, 5, 3 }, pairs.ReduceSum(1).ToArray<int>());

        var nested = NF.Ragged.Constant(new[] { new[] { new[] { 1, 2 }, [3] }, [[4, 5]] });
        Assert.Contains("leaves a ragged tensor", Assert.Throws<ArgumentException>(() => nested.ReduceSum(2)).Message);
        Assert.Contains("outer ragged axis", Assert.Throws<ArgumentException>(() => nested.ReduceSum(1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => digits.ReduceSum(2));
    }

    [SkippableFact]
    public void Gradients_reach_the_flat_values_and_a_function_replays()
    {
        RequireBackend();
        var w = new Variable(NF.Constant(new[] { 1.0, 2, 3, 4 }));
        using (var tape = new GradientTape())
        {
            var rt = RaggedTensor.FromRowSplits(w, [0, 1, 3, 3, 4]);
            var padded = rt.ToTensor(5);   // [4, 2]
            var loss = NF.ReduceSum(padded * NF.Reshape(NF.Range(0.0, 8.0, 1.0, DType.Float64), [4, 2])) + NF.ReduceSum(rt.ReduceSum(1));
            var grad = tape.Gradient(loss, [w])[0]!.ToArray<double>();
            // Each value's padded place (0, 2, 3, 6) plus 1 from the row sums.
            Assert.Equal(new[] { 1.0, 3, 4, 7 }, grad);
        }

        var rowSums = NF.Function((Tensor t) => RaggedTensor.FromRowSplits(t, [0, 2, 2, 5]).ReduceSum(1));
        Assert.Equal(new[] { 3f, 0, 12 }, rowSums(NF.Constant(new[] { 1f, 2, 3, 4, 5 })).ToArray<float>());
        Assert.Equal(new[] { 30f, 0, 120 }, rowSums(NF.Constant(new[] { 10f, 20, 30, 40, 50 })).ToArray<float>());
        Assert.True(TracedFunction.Of(rowSums).LastCallReplayed, TracedFunction.Of(rowSums).EagerReason);
    }
}

/// <summary>The guide's math cells on the managed backend.</summary>
public sealed class ManagedGuideRaggedMathTests() : GuideRaggedMathTests("managed");

/// <summary>The guide's math cells on the native CPU backend.</summary>
public sealed class NativeCpuGuideRaggedMathTests() : GuideRaggedMathTests("cpu");

/// <summary>The guide's math cells on the CUDA backend.</summary>
public sealed class CudaGuideRaggedMathTests() : GuideRaggedMathTests("cuda");
