using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// The keras.ops beyond arithmetic on symbolic tensors (maximum, minimum, clip, power, where, the
/// comparisons, min, argmax / argmin, the math and activation functions, expand_dims / squeeze /
/// softmax over a tuple of axes): each builds a model whose output equals the eager NF op on the
/// same values, with Keras 3's output shape and the dtype its compute_output_spec gives. Before,
/// none of them took a KerasTensor (a compile error), and a list of axes was not accepted.
/// </summary>
public abstract class SymbolicOps2ValueTests(string backend) : BackendTest(backend)
{
    // Values in (-0.9, 1.1) around the rounding and sign boundaries, none exactly 0 or a half.
    private static Tensor Values(int rows, int cols, int seed) =>
        NF.Constant(Enumerable.Range(0, rows * cols).Select(i => -0.9f + (float)((i * 37 + seed * 11) % 20) / 10f + 0.013f).ToArray(), [rows, cols]);

    public static TheoryData<string> Cases => new(OneInput.Keys);

    private static readonly Dictionary<string, (Func<KerasTensor, KerasTensor> Symbolic, Func<Tensor, Tensor> Eager)> OneInput = new()
    {
        ["maximum number"] = (x => NF.Maximum(x, 0.25), x => NF.Maximum(x, 0.25)),
        ["minimum number first"] = (x => NF.Minimum(0.25, x), x => NF.Minimum(0.25, x)),
        ["maximum of two"] = (x => NF.Maximum(x, -x * 0.5), x => NF.Maximum(x, -x * 0.5)),
        ["minimum constant"] = (x => NF.Minimum(x, NF.Constant(new[] { 0f, 0.5f, -0.5f, 1f })), x => NF.Minimum(x, NF.Constant(new[] { 0f, 0.5f, -0.5f, 1f }))),
        ["clip"] = (x => NF.Clip(x, -0.5, 0.5), x => NF.Clip(x, -0.5, 0.5)),
        ["pow number"] = (x => NF.Pow(x, 2), x => NF.Pow(x, 2)),
        ["pow of number"] = (x => NF.Pow(2.0, x), x => NF.Pow(2.0, x)),
        ["pow tensor"] = (x => NF.Pow(NF.Abs(x) + 0.5, x), x => NF.Pow(NF.Abs(x) + 0.5, x)),
        ["where"] = (x => NF.Where(x > 0, x, -x * 2), x => NF.Where(x > 0, x, -x * 2)),
        ["where numbers"] = (x => NF.Where(x <= 0.3, 1.0, 0.0), x => NF.Where(x <= 0.3, 1.0, 0.0)),
        ["x > 0"] = (x => x > 0, x => x > 0),
        ["x < 0.5"] = (x => x < 0.5, x => x < 0.5),
        ["x >= y"] = (x => x >= x * x, x => x >= x * x),
        ["0 <= x"] = (x => 0 <= x, x => 0 <= x),
        ["equal"] = (x => NF.Equal(NF.Round(x), 0), x => NF.Equal(NF.Round(x), 0)),
        ["not equal"] = (x => NF.NotEqual(NF.Floor(x), NF.Round(x)), x => NF.NotEqual(NF.Floor(x), NF.Round(x))),
        ["min axis -1"] = (x => NF.ReduceMin(x, -1), x => NF.ReduceMin(x, -1)),
        ["min all"] = (x => NF.ReduceMin(x), x => NF.ReduceMin(x)),
        ["min axes keepdims"] = (x => NF.ReduceMin(x, [0, 1], keepDims: true), x => NF.ReduceMin(x, [0, 1], keepDims: true)),
        ["argmax"] = (x => NF.ArgMax(x, -1), x => NF.Cast(NF.ArgMax(x, -1), DType.Int32)),
        ["argmin axis 0"] = (x => NF.ArgMin(x), x => NF.Cast(NF.ArgMin(x), DType.Int32)),
        ["argmax keepdims"] = (x => NF.ArgMax(x, 1, keepDims: true), x => NF.ExpandDims(NF.Cast(NF.ArgMax(x, 1), DType.Int32), 1)),
        ["argmax flattened"] = (x => NF.ArgMax(x, null), x => NF.Cast(NF.ArgMax(NF.Reshape(x, [-1]), 0), DType.Int32)),
        ["sin"] = (NF.Sin, NF.Sin),
        ["cos"] = (NF.Cos, NF.Cos),
        ["erf"] = (NF.Erf, NF.Erf),
        ["erfc"] = (NF.Erfc, NF.Erfc),
        ["floor"] = (NF.Floor, NF.Floor),
        ["round"] = (x => NF.Round(x * 3), x => NF.Round(x * 3)),
        ["sign"] = (NF.Sign, NF.Sign),
        ["rsqrt"] = (x => NF.Rsqrt(x + 1), x => NF.Rsqrt(x + 1)),
        ["softplus"] = (NF.Softplus, NF.Softplus),
        ["silu"] = (NF.Silu, NF.Silu),
        ["swish"] = (NF.Swish, NF.Swish),
        ["gelu"] = (x => NF.Gelu(x), x => NF.Gelu(x)),
        ["gelu approximate"] = (x => NF.Gelu(x, approximate: true), x => NF.Gelu(x, approximate: true)),
        ["log_softmax"] = (x => NF.LogSoftmax(x), x => NF.LogSoftmax(x)),
        ["log_softmax axis 0"] = (x => NF.LogSoftmax(x, 0), x => NF.LogSoftmax(x, 0)),
        ["log1p"] = (x => NF.Log1p(x + 1), x => NF.Log1p(x + 1)),
        ["expm1"] = (NF.Expm1, NF.Expm1),
        ["reciprocal"] = (NF.Reciprocal, NF.Reciprocal),
        ["l2_normalize"] = (x => NF.L2Normalize(x, -1), x => NF.L2Normalize(x, -1)),
        ["l2_normalize all axes"] = (x => NF.L2Normalize(x), x => NF.L2Normalize(x)),
        ["expand_dims axes"] = (x => NF.ExpandDims(x, [1, -1]), x => NF.ExpandDims(NF.ExpandDims(x, 1), -1)),
        ["squeeze axes"] = (x => NF.Squeeze(NF.ExpandDims(x, [0, 2]), [0, 2]), x => x),
        ["softmax axes"] = (x => NF.Softmax(NF.Reshape(x, [-1, 2, 2]), [1, 2]),
                            x => NF.Reshape(NF.Softmax(NF.Reshape(x, [-1, 4]), -1), [-1, 2, 2])),
        ["softmax one axis in a list"] = (x => NF.Softmax(x, [0]), x => NF.Softmax(x, 0)),
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void An_op_equals_the_eager_op(string op)
    {
        RequireBackend();
        var (symbolic, eager) = OneInput[op];
        var input = Layers.Input([4]);
        var output = symbolic(input);
        var model = new Model(input, output);
        var x = Values(3, 4, seed: 1);
        var expected = eager(x);
        var actual = model.Call(x);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(output.DType, actual.DType);
        var (want, got) = (expected.ToDoubleArray(), actual.ToDoubleArray());
        // Softmax over a tuple of axes is composed of reductions, not the fused kernel: equal to rounding.
        for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) <= 1e-6 * Math.Max(1, Math.Abs(want[i])), $"{op} element {i}: eager {want[i]}, model {got[i]}");
        var shape = output.Shape;
        Assert.Equal(actual.Rank, shape.Count);
        for (int d = 0; d < shape.Count; d++)
            if (shape[d] is int known) Assert.Equal(actual.Shape[d], known);
    }

    [SkippableFact]
    public void Squeeze_without_an_axis_keeps_a_batch_of_one()
    {
        RequireBackend();
        // Before, NF.Squeeze(x) on (None, 1, 4) threw while the graph was built (its run on a batch of
        // one squeezed the batch axis too); the size-1 axes of the symbolic shape are squeezed, as Keras' shape says.
        var input = Layers.Input([4]);
        var squeezed = NF.Squeeze(NF.ExpandDims(input, 1));
        Assert.Equal(new int?[] { null, 4 }, squeezed.Shape);
        var model = new Model(input, squeezed);
        foreach (int batch in new[] { 1, 3 })
        {
            var x = Values(batch, 4, seed: 2);
            Assert.Equal(new[] { batch, 4 }, model.Call(x).Shape.ToArray());
            Assert.Equal(x.ToDoubleArray(), model.Call(x).ToDoubleArray());
        }
        // Recorded as Keras' tuple of those axes; a Keras file's axis None (which threw as well) reads the same way.
        var config = model.GetConfig();
        var entry = ((System.Text.Json.Nodes.JsonArray)config["layers"]!).Single(l => l!["name"]!.GetValue<string>() == squeezed.Layer.Name)!;
        Assert.Equal("[1]", entry["config"]!["axis"]!.ToJsonString());
        entry["config"]!["axis"] = null;
        var reloaded = Model.FromConfig(config);
        Assert.Equal(new int?[] { null, 4 }, reloaded.Outputs[0].Shape);
        Assert.Equal(new[] { 1, 4 }, reloaded.Call(Values(1, 4, seed: 2)).Shape.ToArray());
    }

    [SkippableFact]
    public void Output_specs_follow_keras_3()
    {
        RequireBackend();
        var x = Layers.Input([2, 3]);
        var ints = Layers.Input([3], dtype: DType.Int32);
        // Comparisons are bool; argmax / argmin int32 (Keras' compute_output_spec), clip keeps x's dtype.
        Assert.Equal(DType.Bool, (x > 0).DType);
        Assert.Equal(DType.Bool, NF.Equal(x, x).DType);
        Assert.Equal(DType.Int32, NF.ArgMax(x, -1).DType);
        Assert.Equal(new int?[] { null, 2 }, NF.ArgMax(x, -1).Shape);
        Assert.Equal(new int?[] { null, 1, 3 }, NF.ArgMin(x, 1, keepDims: true).Shape);
        Assert.Equal(Array.Empty<int?>(), NF.ArgMax(x, null).Shape);
        Assert.Equal(new int?[] { 1, 1, 1 }, NF.ArgMax(x, null, keepDims: true).Shape);
        Assert.Equal(DType.Int32, NF.Clip(ints, 0.5, 2.5).DType);
        Assert.Equal(DType.Int32, NF.Clip(ints > 1, 0, 1).DType);
        Assert.Equal(new int?[] { null, 2, 3 }, NF.Where(x > 0, x, NF.Constant(new float[] { 1, 2, 3 })).Shape);
        Assert.Equal(new int?[] { null, 1, 2, 1, 3 }, NF.ExpandDims(x, [1, -2]).Shape);
        Assert.Equal(new int?[] { null, 2, 3 }, NF.Squeeze(NF.ExpandDims(x, [1, 3]), [1, 3]).Shape);
        Assert.Equal(new int?[] { null, 3 }, NF.ReduceMin(x, 1).Shape);
        // Integers in, Keras' float32 out for the float functions; integer values clip as integers.
        Assert.Equal(DType.Float32, NF.Sin(ints).DType);
        var clipped = new Model(ints, NF.Clip(ints, 0.5, 2.5)).Call(NF.Constant(new[,] { { 0, 2, 5 } }));
        Assert.Equal(DType.Int32, clipped.DType);
        Assert.Equal(new[] { 0, 2, 2 }, clipped.ToArray<int>());
    }

    [SkippableFact]
    public void Bad_arguments_throw_naming_the_shape()
    {
        RequireBackend();
        var x = Layers.Input([2, 3]);
        var e = Assert.Throws<ArgumentException>(() => NF.Squeeze(NF.ExpandDims(x, 1), [1, 2]));
        Assert.Contains("(None, 1, 2, 3)", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => NF.ExpandDims(x, [1, 5]));
        Assert.Contains("(None, 2, 3)", range.Message);
        Assert.Throws<ArgumentException>(() => NF.ExpandDims(x, [1, 1]));
        range = Assert.Throws<ArgumentOutOfRangeException>(() => NF.Softmax(x, [1, 3]));
        Assert.Contains("(None, 2, 3)", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => NF.ArgMax(x, 3));
        Assert.Contains("(None, 2, 3)", range.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Maximum(x, Layers.Input([4])));
        Assert.Contains("(None, 4)", e.Message);
        // A condition that is not bool is refused as the eager where refuses it.
        e = Assert.Throws<ArgumentException>(() => NF.Where(x, x, 0));
        Assert.Contains("condition must be bool", e.Message);
        Assert.Throws<ArgumentException>(() => NF.Clip(x, double.NaN, 1));
        Assert.Throws<ArgumentNullException>(() => NF.ExpandDims(x, (int[])null!));
    }
}

public sealed class ManagedSymbolicOps2ValueTests() : SymbolicOps2ValueTests("managed");

public sealed class NativeCpuSymbolicOps2ValueTests() : SymbolicOps2ValueTests("cpu");

public sealed class CudaSymbolicOps2ValueTests() : SymbolicOps2ValueTests("cuda");
