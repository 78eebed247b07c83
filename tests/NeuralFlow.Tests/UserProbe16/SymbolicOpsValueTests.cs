using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// Keras 3's operations on symbolic tensors (<c>x * 2 + 1</c>, <c>ops.sigmoid(x)</c>, <c>x[:, 0]</c>)
/// in C#: each operator and NF function on a <see cref="KerasTensor"/> builds a model whose
/// output equals the same eager NF code on the same values, with Keras' output shapes (the
/// batch unknown wherever the op puts it) and the eager ops' dtypes.
/// </summary>
public abstract class SymbolicOpsValueTests(string backend) : BackendTest(backend)
{
    // Values in (0.1, 2.1): log and sqrt are defined, 1 / x finite.
    private static Tensor Values(int rows, int cols, int seed) =>
        NF.Constant(Enumerable.Range(0, rows * cols).Select(i => 0.1f + (float)((i * 37 + seed * 11) % 20) / 10f).ToArray(), [rows, cols]);

    public static TheoryData<string> OneInputCases => new(OneInput.Keys);

    private static readonly Dictionary<string, (Func<KerasTensor, KerasTensor> Symbolic, Func<Tensor, Tensor> Eager)> OneInput = new()
    {
        ["x * 2 + 1"] = (x => x * 2 + 1, x => x * 2 + 1),
        ["2 - x"] = (x => 2 - x, x => 2 - x),
        ["1.5 / x"] = (x => 1.5 / x, x => 1.5 / x),
        ["x / 4"] = (x => x / 4, x => x / 4),
        ["-x"] = (x => -x, x => -x),
        ["abs"] = (x => NF.Abs(x - 1), x => NF.Abs(x - 1)),
        ["exp"] = (NF.Exp, NF.Exp),
        ["log"] = (NF.Log, NF.Log),
        ["sqrt"] = (NF.Sqrt, NF.Sqrt),
        ["square"] = (NF.Square, NF.Square),
        ["tanh"] = (x => NF.Tanh(x - 1), x => NF.Tanh(x - 1)),
        ["relu"] = (x => NF.Relu(x - 1), x => NF.Relu(x - 1)),
        ["sigmoid"] = (NF.Sigmoid, NF.Sigmoid),
        ["softmax"] = (x => NF.Softmax(x), x => NF.Softmax(x)),
        ["softmax axis 0"] = (x => NF.Softmax(x, 0), x => NF.Softmax(x, 0)),
        ["sum axis -1"] = (x => NF.ReduceSum(x, -1), x => NF.ReduceSum(x, -1)),
        ["sum keepdims"] = (x => NF.ReduceSum(x, 1, keepDims: true), x => NF.ReduceSum(x, 1, keepDims: true)),
        ["mean all"] = (x => NF.ReduceMean(x), x => NF.ReduceMean(x)),
        ["mean axes"] = (x => NF.ReduceMean(x, [0, 1], keepDims: true), x => NF.ReduceMean(x, [0, 1], keepDims: true)),
        ["max axis 1"] = (x => NF.ReduceMax(x, 1), x => NF.ReduceMax(x, 1)),
        ["reshape"] = (x => NF.Reshape(x, [-1, 2, 2]), x => NF.Reshape(x, [-1, 2, 2])),
        ["transpose"] = (x => NF.Transpose(NF.Reshape(x, [-1, 2, 2]), [0, 2, 1]), x => NF.Transpose(NF.Reshape(x, [-1, 2, 2]), [0, 2, 1])),
        ["transpose reversed"] = (x => NF.Transpose(x), x => NF.Transpose(x)),
        ["expand_dims"] = (x => NF.ExpandDims(x, 1), x => NF.ExpandDims(x, 1)),
        ["squeeze"] = (x => NF.Squeeze(NF.ExpandDims(x, -1), -1), x => NF.Squeeze(NF.ExpandDims(x, -1), -1)),
        ["cast"] = (x => NF.Cast(x, DType.Float64) * 3, x => NF.Cast(x, DType.Float64) * 3),
        ["x[:, 0]"] = (x => x[.., 0], x => x[.., 0]),
        ["x[:, 1:3]"] = (x => x[.., 1..3], x => x[.., 1..3]),
        ["x[..., -1]"] = (x => x[NF.Ellipsis, ^1], x => x[NF.Ellipsis, ^1]),
        ["x[:, None]"] = (x => x[.., NF.NewAxis], x => x[.., NF.NewAxis]),
        ["x[:, ::-2]"] = (x => x[.., NF.Step(.., -2)], x => x[.., NF.Step(.., -2)]),
        ["x[0]"] = (x => x[0], x => x[0]),
        ["concat self"] = (x => NF.Concat([x, x * 2], axis: -1), x => NF.Concat([x, x * 2], axis: -1)),
        ["stack self"] = (x => NF.Stack([x, -x], axis: 1), x => NF.Stack([x, -x], axis: 1)),
    };

    [SkippableTheory]
    [MemberData(nameof(OneInputCases))]
    public void An_op_on_one_input_equals_the_eager_op(string op)
    {
        RequireBackend();
        var (symbolic, eager) = OneInput[op];
        var input = Layers.Input([4]);
        var model = new Model(input, symbolic(input));
        var x = Values(3, 4, seed: 1);
        var expected = eager(x);
        var actual = model.Call(x);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.ToDoubleArray(), actual.ToDoubleArray());
        // The symbolic shape is Keras' (None where unknown) and agrees with the values' wherever it is known.
        var shape = model.Outputs[0].Shape;
        Assert.Equal(actual.Rank, shape.Count);
        for (int d = 0; d < shape.Count; d++)
            if (shape[d] is int known) Assert.Equal(actual.Shape[d], known);
    }

    [SkippableFact]
    public void Operators_between_two_inputs_broadcast_as_the_eager_ops()
    {
        RequireBackend();
        var a = Layers.Input([4]);
        var b = Layers.Input([4]);
        var column = Layers.Input([1]);
        var outputs = new[]
        {
            a + b, a - b, a * b, a / b, a + column, column * b,
            NF.MatMul(a, NF.Transpose(b)), NF.Concat([a, b], axis: -1), NF.Stack([a, b], axis: 1), NF.Concat([a, column], axis: 1),
        };
        var model = new Model([a, b, column], outputs);
        var (x, y, z) = (Values(3, 4, 1), Values(3, 4, 2), Values(3, 1, 3));
        var expected = new[]
        {
            x + y, x - y, x * y, x / y, x + z, z * y,
            NF.MatMul(x, NF.Transpose(y)), NF.Concat([x, y], -1), NF.Stack([x, y], 1), NF.Concat([x, z], 1),
        };
        var actual = model.CallOutputs([x, y, z]);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Shape.ToArray(), actual[i].Shape.ToArray());
            Assert.Equal(expected[i].ToDoubleArray(), actual[i].ToDoubleArray());
        }
        Assert.Equal(new int?[] { null, 4 }, outputs[4].Shape);
        Assert.Equal(new int?[] { null, null }, outputs[6].Shape);
        Assert.Equal(new int?[] { null, 8 }, outputs[7].Shape);
        Assert.Equal(new int?[] { null, 2, 4 }, outputs[8].Shape);
        Assert.Equal(new int?[] { null, 5 }, outputs[9].Shape);
    }

    [SkippableFact]
    public void A_constant_tensor_is_captured_in_the_graph()
    {
        RequireBackend();
        var projection = NF.Constant(new float[,] { { 1, 0 }, { 0, 1 }, { 2, -1 }, { 0.5f, 3 } });
        var shift = NF.Constant(new float[] { 1, -2, 0.25f, 4 });
        var input = Layers.Input([4]);
        var output = NF.MatMul(input + shift, projection) - NF.Constant(new float[] { 0.5f, 1 });
        var model = new Model(input, output);
        var x = Values(5, 4, 4);
        Assert.Equal(new int?[] { null, 2 }, output.Shape);
        Assert.Equal((NF.MatMul(x + shift, projection) - NF.Constant(new float[] { 0.5f, 1 })).ToDoubleArray(), model.Predict(x).ToDoubleArray());
    }

    [SkippableFact]
    public void Numbers_are_weak_scalars_as_in_eager_code()
    {
        RequireBackend();
        var ints = Layers.Input([3], dtype: DType.Int32);
        var doubles = Layers.Input([3], dtype: DType.Float64);
        var floats = Layers.Input([3]);
        Assert.Equal(DType.Int32, (ints * 2 + 1).DType);
        Assert.Equal(DType.Float32, (ints * 2.5).DType);
        Assert.Equal(DType.Float32, (ints / 2).DType);
        Assert.Equal(DType.Float64, (doubles * 2.5).DType);
        Assert.Equal(DType.Float32, (floats - 1).DType);
        var x = NF.Constant(new[,] { { 1.0f, 2, 3 } });
        var d = NF.Constant(new[,] { { 1.0, 2, 3 } });
        // Two tensors of different float types promote as Keras 3's result_type (UserProbe17's
        // SymbolicOps2PromotionTests has the whole table), where the eager op asks for a cast.
        Assert.Throws<ArgumentException>(() => NF.Add(x, d));
        Assert.Equal(DType.Float64, (floats + doubles).DType);
        var i = NF.Constant(new[,] { { 1, 2, 3 } });
        var model = new Model([ints, doubles], [ints * 2 + 1, ints / 2, doubles * 2.5]);
        var outs = model.CallOutputs([i, d]);
        Assert.Equal(new[] { 3, 5, 7 }, outs[0].ToArray<int>());
        Assert.Equal((i / 2).ToDoubleArray(), outs[1].ToDoubleArray());
        Assert.Equal(new[] { 2.5, 5, 7.5 }, outs[2].ToArray<double>());
    }

    [SkippableFact]
    public void Shapes_follow_keras_rules_with_the_unknown_batch()
    {
        RequireBackend();
        var x = Layers.Input([2, 3]);
        Assert.Equal(new int?[] { 3, 2, null }, NF.Transpose(x).Shape);
        Assert.Equal(new int?[] { 2, 3 }, NF.ReduceSum(x, 0).Shape);
        Assert.Equal(new int?[] { null, 1, 3 }, NF.ReduceMax(x, 1, keepDims: true).Shape);
        Assert.Equal(new int?[] { null, 6 }, NF.Reshape(x, [-1, 6]).Shape);
        Assert.Equal(new int?[] { 2, 3 }, x[0].Shape);
        Assert.Equal(new int?[] { null, 3 }, x[.., 1].Shape);
        Assert.Equal(new int?[] { null, 2, 2 }, x[.., .., ..2].Shape);
        Assert.Equal(new int?[] { null, 2, 3, 1 }, NF.ExpandDims(x, -1).Shape);
        Assert.Equal(new int?[] { null, 2, 3 }, NF.Concat([x, x]).Shape);
        Assert.Equal(new int?[] { null, 2, 6 }, NF.Concat([x, x], axis: 2).Shape);
        Assert.Equal(new int?[] { 2, null, 2, 3 }, NF.Stack([x, x]).Shape);
        Assert.Equal(new int?[] { null, 2, 2 }, NF.MatMul(x, NF.Transpose(x, [0, 2, 1])).Shape);
        Assert.Equal(DType.Float64, NF.Cast(x, DType.Float64).DType);
        Assert.Contains("created by operation 'transpose", NF.Transpose(x).ToString());
    }

    [SkippableFact]
    public void Shapes_that_cannot_meet_throw_naming_both()
    {
        RequireBackend();
        var a = Layers.Input([8]);
        var b = Layers.Input([3]);
        var e = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("(None, 8)", e.Message);
        Assert.Contains("(None, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MatMul(a, NF.Constant(new float[2, 4])));
        Assert.Contains("(None, 8)", e.Message);
        Assert.Contains("(2, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => a * NF.Constant(new float[] { 1, 2, 3 }));
        Assert.Contains("(None, 8)", e.Message);
        Assert.Contains("(3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Concat([Layers.Input([2, 3]), Layers.Input([4, 3])], axis: -1));
        Assert.Contains("(None, 2, 3)", e.Message);
        Assert.Contains("(None, 4, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Reshape(Layers.Input([6], batchSize: 2), [5, -1]));
        Assert.Contains("(2, 6)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Squeeze(a, 1));
        Assert.Contains("(None, 8)", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => NF.ReduceSum(a, 2));
        Assert.Contains("(None, 8)", range.Message);
        Assert.Throws<ArgumentException>(() => NF.Stack([a, b]));
        Assert.Throws<IndexOutOfRangeException>(() => a[.., 8]);
        Assert.Throws<NotSupportedException>(() => a[.., NF.Step(1.., -1)]);
    }
}

public sealed class ManagedSymbolicOpsValueTests() : SymbolicOpsValueTests("managed");

public sealed class NativeCpuSymbolicOpsValueTests() : SymbolicOpsValueTests("cpu");

public sealed class CudaSymbolicOpsValueTests() : SymbolicOpsValueTests("cuda");
