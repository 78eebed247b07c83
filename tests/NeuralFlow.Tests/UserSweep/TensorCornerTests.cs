using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// A user's sweep of tensor corners against NumPy / PyTorch 1.13 (usersweep_fixtures.json "ops"):
/// every dtype, broadcasting with size-0 and rank-0 operands, negative axes and keepdims, NaN and
/// infinities through elementwise ops and reductions, argmax ties, integer division and modulo
/// signs, pow with negative bases, clip with min &gt; max, sort/top-k ties, gather, one-hot, pad,
/// tile, casts and matmul broadcasting. Each case's "rule" says whose convention it follows.
/// </summary>
public abstract partial class TensorCornerTests(string backend) : BackendTest(backend)
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Section("ops").Count));

    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Ops = new()
    {
        ["abs"] = t => NF.Abs(t[0]), ["negative"] = t => -t[0], ["square"] = t => NF.Square(t[0]), ["exp"] = t => NF.Exp(t[0]),
        ["sqrt"] = t => NF.Sqrt(t[0]), ["floor"] = t => NF.Floor(t[0]), ["ceil"] = t => NF.Ceil(t[0]), ["round"] = t => NF.Round(t[0]),
        ["relu"] = t => NF.Relu(t[0]), ["sigmoid"] = t => NF.Sigmoid(t[0]), ["tanh"] = t => NF.Tanh(t[0]), ["sign"] = t => NF.Sign(t[0]),
        ["elu"] = t => NF.Elu(t[0]), ["selu"] = t => NF.Selu(t[0]), ["relu6"] = t => NF.Relu6(t[0]),
        ["add"] = t => t[0] + t[1], ["subtract"] = t => t[0] - t[1], ["multiply"] = t => t[0] * t[1], ["divide"] = t => t[0] / t[1],
        ["floor_div"] = t => NF.FloorDiv(t[0], t[1]), ["floor_mod"] = t => NF.FloorMod(t[0], t[1]), ["truncate_mod"] = t => t[0] % t[1],
        ["maximum"] = t => NF.Maximum(t[0], t[1]), ["minimum"] = t => NF.Minimum(t[0], t[1]), ["pow"] = t => NF.Pow(t[0], t[1]),
        ["less"] = t => NF.Less(t[0], t[1]), ["equal"] = t => NF.Equal(t[0], t[1]), ["greater_equal"] = t => NF.GreaterEqual(t[0], t[1]),
        ["clip"] = t => NF.Clip(t[0], t[1], t[2]),
        ["logsumexp[1]"] = t => NF.ReduceLogSumExp(t[0], 1), ["softmax"] = t => NF.Softmax(t[0]), ["log_softmax"] = t => NF.LogSoftmax(t[0]),
        ["cumsum[1]"] = t => NF.CumSum(t[0], 1), ["cumsum[0]excl_rev"] = t => NF.CumSum(t[0], 0, exclusive: true, reverse: true),
        ["cumprod[-1]"] = t => NF.CumProd(t[0], -1),
        ["sort"] = t => NF.Sort(t[0]), ["sort_desc"] = t => NF.Sort(t[0], direction: "DESCENDING"),
        ["argsort"] = t => NF.ArgSort(t[0]), ["argsort_desc"] = t => NF.ArgSort(t[0], direction: "DESCENDING"),
        ["topk2"] = t => NF.TopK(t[0], 2).Values, ["topk2_idx"] = t => NF.TopK(t[0], 2).Indices,
        ["gather0"] = t => NF.Gather(t[0], t[1]), ["gather1"] = t => NF.Gather(t[0], t[1], 1), ["one_hot4"] = t => NF.OneHot(t[0], 4),
        ["where"] = t => NF.Where(t[0], t[1], t[2]), ["concat1"] = t => NF.Concat([t[0], t[1]], 1), ["concat-1"] = t => NF.Concat([t[0], t[1]], -1),
        ["stack-1"] = t => NF.Stack([t[0], t[1]], -1),
        ["pad_reflect"] = t => NF.Pad(t[0], new[,] { { 2, 1 }, { 1, 3 } }, "reflect"),
        ["pad_symmetric"] = t => NF.Pad(t[0], new[,] { { 2, 1 }, { 1, 3 } }, "symmetric"),
        ["pad_constant"] = t => NF.Pad(t[0], new[,] { { 0, 1 }, { 2, 0 } }, constantValues: -7),
        ["tile_2_0"] = t => NF.Tile(t[0], 2, 0), ["tile_1_3"] = t => NF.Tile(t[0], 1, 3),
        ["range_f32"] = _ => NF.Range(1f, 2f, 0.3f), ["range_i32"] = _ => NF.Range(10, -3, -4),
        ["cast_f32_i32"] = t => NF.Cast(t[0], DType.Int32), ["cast_i64_f32"] = t => NF.Cast(t[0], DType.Float32),
        ["cast_f32_bool"] = t => NF.Cast(t[0], DType.Bool), ["matmul"] = t => NF.MatMul(t[0], t[1]),
    };

    // "sum", "mean[0, 2]", "max[-1]k": a reduction over the listed axes (all when none), k = keepdims.
    private static readonly Regex ReductionName = new(@"^(sum|mean|max|min|prod|argmax|argmin)(\[[-0-9, ]*\])?(k?)$");

    private static Tensor Reduce(Match m, Tensor x)
    {
        var axes = m.Groups[2].Success ? m.Groups[2].Value.Trim('[', ']').Split(',').Select(s => int.Parse(s.Trim())).ToArray() : null;
        bool keep = m.Groups[3].Value == "k";
        return m.Groups[1].Value switch
        {
            "sum" => axes is null ? NF.ReduceSum(x, keepDims: keep) : NF.ReduceSum(x, axes, keep),
            "mean" => axes is null ? NF.ReduceMean(x, keepDims: keep) : NF.ReduceMean(x, axes, keep),
            "max" => axes is null ? NF.ReduceMax(x, keepDims: keep) : NF.ReduceMax(x, axes, keep),
            "min" => axes is null ? NF.ReduceMin(x, keepDims: keep) : NF.ReduceMin(x, axes, keep),
            "prod" => axes is null ? NF.ReduceProd(x, keepDims: keep) : NF.ReduceProd(x, axes, keep),
            "argmax" => NF.ArgMax(x, axes![0]),
            _ => NF.ArgMin(x, axes![0]),
        };
    }

    // Index results are compared by value: NeuralFlow's sort and top-k indices are int32 (TensorFlow's), NumPy's int64.
    private static readonly HashSet<string> IndexValued = ["argsort", "argsort_desc", "topk2_idx"];

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Op_matches_numpy_and_pytorch(int index)
    {
        RequireBackend();
        var (c, name, inputs) = OpCase("ops", index);
        var expected = c["expected"]!;
        string what = $"{name} on {string.Join(", ", inputs.Select(t => $"{t.DType.Name()}{t.Shape}"))} ({c["rule"]})";
        var result = ReductionName.Match(name) is { Success: true } m ? Reduce(m, inputs[0])
            : Ops.TryGetValue(name, out var f) ? f(inputs) : throw new InvalidDataException($"no op named {name}");
        Assert.True(ShapeOf(expected) == result.Shape, $"{what}: shape {result.Shape}, expected {ShapeOf(expected)}");
        if (!IndexValued.Contains(name))
            Assert.True(DTypeOf(expected) == result.DType, $"{what}: dtype {result.DType.Name()}, expected {DTypeOf(expected).Name()}");
        // float32 results: a few ulp for transcendental functions and summation order; float64: near exact.
        var (rtol, atol) = result.DType switch { DType.Float32 => (4e-6, 1e-6), DType.Float64 => (1e-12, 1e-12), _ => (0.0, 0.0) };
        AssertValues(Values(expected), Doubles(result), rtol, atol, what, signedZeros: result.DType.IsFloating() && !name.StartsWith("sum"));
    }
}

public sealed class ManagedTensorCornerTests() : TensorCornerTests("managed");

public sealed class NativeCpuTensorCornerTests() : TensorCornerTests("cpu");

public sealed class CudaTensorCornerTests() : TensorCornerTests("cuda");
