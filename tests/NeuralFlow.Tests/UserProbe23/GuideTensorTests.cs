using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Introduction to Tensors" guide (guide/tensor.ipynb) in C#, cell by cell: ranks and
/// dtypes, the basic math, shapes, indexing, reshape's rules, casts, broadcasting, string tensors, and
/// what stands in for ragged and sparse tensors (which NeuralFlow does not have). Every number is the
/// guide's own printed output or hand computation.
/// </summary>
public abstract class GuideTensorTests(string backend) : BackendTest(backend)
{
    private static readonly int[,,] Rank3 =
    {
        { { 0, 1, 2, 3, 4 }, { 5, 6, 7, 8, 9 } },
        { { 10, 11, 12, 13, 14 }, { 15, 16, 17, 18, 19 } },
        { { 20, 21, 22, 23, 24 }, { 25, 26, 27, 28, 29 } },
    };

    [SkippableFact]
    public void Ranks_and_dtypes_of_constants()
    {
        RequireBackend();
        var rank0 = NF.Constant(4);
        Assert.Equal(DType.Int32, rank0.DType);   // an int constant is int32, as tf.constant(4)
        Assert.Equal(0, rank0.Rank);
        var rank1 = NF.Constant(new[] { 2.0f, 3.0f, 4.0f });
        Assert.Equal(DType.Float32, rank1.DType);
        // tf.constant([[1, 2], [3, 4], [5, 6]], dtype=tf.float16)
        var rank2 = NF.Cast(NF.Constant(new[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }), DType.Float16);
        Assert.Equal(DType.Float16, rank2.DType);
        Assert.Equal(new Shape(3, 2), rank2.Shape);
        Assert.Equal([(Half)1, (Half)2, (Half)3, (Half)4, (Half)5, (Half)6], rank2.ToArray<Half>());
        var rank3 = NF.Constant(Rank3);
        Assert.Equal(new Shape(3, 2, 5), rank3.Shape);
        Assert.Equal(DType.Int32, rank3.DType);
        Assert.Equal(Enumerable.Range(0, 30).ToArray(), rank3.ToArray<int>());
    }

    [SkippableFact]
    public void Basic_math_on_int32_and_float_tensors()
    {
        RequireBackend();
        var a = NF.Constant(new[,] { { 1, 2 }, { 3, 4 } });
        var b = NF.Ones([2, 2], DType.Int32);
        Assert.Equal([2, 3, 4, 5], NF.Add(a, b).ToArray<int>());
        Assert.Equal([1, 2, 3, 4], NF.Multiply(a, b).ToArray<int>());
        var product = NF.MatMul(a, b);
        Assert.Equal(DType.Int32, product.DType);
        Assert.Equal([3, 3, 7, 7], product.ToArray<int>());
        Assert.Equal([2, 3, 4, 5], (a + b).ToArray<int>());
        Assert.Equal([1, 2, 3, 4], (a * b).ToArray<int>());

        var c = NF.Constant(new[,] { { 4.0f, 5.0f }, { 10.0f, 1.0f } });
        Assert.Equal(10f, NF.ReduceMax(c).Item<float>());
        // tf.math.argmax(c): along axis 0 by default, int64.
        var argmax = NF.ArgMax(c);
        Assert.Equal(DType.Int64, argmax.DType);
        Assert.Equal([1L, 0L], argmax.ToArray<long>());
        // tf.nn.softmax(c): [[0.26894143 0.7310586 ] [0.9998766  0.00012339]]
        var softmax = NF.Softmax(c).ToArray<float>();
        float[] expected = [0.26894143f, 0.7310586f, 0.9998766f, 0.00012339458f];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], softmax[i], 6);

        Assert.Equal(3, NF.ReduceMax(NF.Constant(new[] { 1, 2, 3 })).Item<int>());
    }

    [SkippableFact]
    public void Shapes_size_and_rank()
    {
        RequireBackend();
        var rank4 = NF.Zeros([3, 2, 4, 5]);
        Assert.Equal(DType.Float32, rank4.DType);
        Assert.Equal(4, rank4.Rank);
        Assert.Equal(new Shape(3, 2, 4, 5), rank4.Shape);
        Assert.Equal(3, rank4.Shape[0]);
        Assert.Equal(5, rank4.Shape[-1]);
        Assert.Equal(120, rank4.Count);
        var x = NF.Constant(new[,] { { 1 }, { 2 }, { 3 } });
        Assert.Equal([3, 1], x.Shape.ToArray());
        var reshaped = NF.Reshape(x, [1, 3]);
        Assert.Equal(new Shape(3, 1), x.Shape);
        Assert.Equal(new Shape(1, 3), reshaped.Shape);
    }

    [SkippableFact]
    public void Indexing_single_axis_and_multi_axis()
    {
        RequireBackend();
        var t = NF.Constant(new[] { 0, 1, 1, 2, 3, 5, 8, 13, 21, 34 });
        Assert.Equal(0, t[0].Item<int>());
        Assert.Equal(1, t[1].Item<int>());
        Assert.Equal(34, t[-1].Item<int>());
        Assert.Equal(34, t[^1].Item<int>());
        Assert.Equal(t.ToArray<int>(), t[..].ToArray<int>());
        Assert.Equal([0, 1, 1, 2], t[..4].ToArray<int>());
        Assert.Equal([3, 5, 8, 13, 21, 34], t[4..].ToArray<int>());
        Assert.Equal([1, 2, 3, 5, 8], t[2..7].ToArray<int>());
        Assert.Equal([0, 1, 3, 8, 21], t[NF.Step(.., 2)].ToArray<int>());
        Assert.Equal([34, 21, 13, 8, 5, 3, 2, 1, 1, 0], t[NF.Step(.., -1)].ToArray<int>());

        var rank2 = NF.Cast(NF.Constant(new[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }), DType.Float16);
        Assert.Equal((Half)4, rank2[1, 1].Item<Half>());
        Assert.Equal([(Half)3, (Half)4], rank2[1, ..].ToArray<Half>());
        Assert.Equal([(Half)2, (Half)4, (Half)6], rank2[.., 1].ToArray<Half>());
        Assert.Equal([(Half)5, (Half)6], rank2[-1, ..].ToArray<Half>());
        Assert.Equal((Half)2, rank2[0, -1].Item<Half>());
        Assert.Equal(new Shape(2, 2), rank2[1.., ..].Shape);
        Assert.Equal([(Half)3, (Half)4, (Half)5, (Half)6], rank2[1.., ..].ToArray<Half>());

        var rank3 = NF.Constant(Rank3);
        var column = rank3[.., .., 4];
        Assert.Equal(new Shape(3, 2), column.Shape);
        Assert.Equal([4, 9, 14, 19, 24, 29], column.ToArray<int>());

        // TensorFlow: InvalidArgumentError "slice index 10 of dimension 0 out of bounds"; .NET's exception for it.
        var e = Assert.Throws<IndexOutOfRangeException>(() => t[10]);
        Assert.Contains("10", e.Message);
    }

    [SkippableFact]
    public void Reshape_keeps_the_order_and_refuses_a_shape_that_does_not_fit()
    {
        RequireBackend();
        var rank3 = NF.Constant(Rank3);
        Assert.Equal(Enumerable.Range(0, 30).ToArray(), NF.Reshape(rank3, [-1]).ToArray<int>());
        Assert.Equal(new Shape(6, 5), NF.Reshape(rank3, [3 * 2, 5]).Shape);
        Assert.Equal(new Shape(3, 10), NF.Reshape(rank3, [3, -1]).Shape);
        Assert.Equal(Enumerable.Range(0, 30).ToArray(), NF.Reshape(rank3, [3, -1]).ToArray<int>());
        // The "bad examples": reshape does not reorder axes; the numbers stay in row-major order.
        Assert.Equal(Enumerable.Range(0, 30).ToArray(), NF.Reshape(rank3, [2, 3, 5]).ToArray<int>());
        Assert.Equal(new Shape(5, 6), NF.Reshape(rank3, [5, 6]).Shape);
        // Swapping axes is a transpose: its first row is the first elements of each row.
        Assert.Equal([0, 5, 10, 15, 20, 25], NF.Reshape(NF.Transpose(rank3, [2, 0, 1]), [5, 6])[0].ToArray<int>());

        // TensorFlow: "Input to reshape is a tensor with 30 values, but the requested shape requires a multiple of 7".
        var e = Assert.ThrowsAny<ArgumentException>(() => NF.Reshape(rank3, [7, -1]));
        Assert.Contains("30", e.Message);
        Assert.Contains("7", e.Message);
    }

    [SkippableFact]
    public void Casts_and_broadcasting()
    {
        RequireBackend();
        var f64 = NF.Constant(new[] { 2.2, 3.3, 4.4 });
        var f16 = NF.Cast(f64, DType.Float16);
        var u8 = NF.Cast(f16, DType.UInt8);
        Assert.Equal(DType.UInt8, u8.DType);
        Assert.Equal(new byte[] { 2, 3, 4 }, u8.ToArray<byte>());

        var x = NF.Constant(new[] { 1, 2, 3 });
        var y = NF.Constant(2);
        var z = NF.Constant(new[] { 2, 2, 2 });
        Assert.Equal([2, 4, 6], NF.Multiply(x, 2).ToArray<int>());
        Assert.Equal([2, 4, 6], (x * y).ToArray<int>());
        Assert.Equal([2, 4, 6], (x * z).ToArray<int>());
        Assert.Equal(DType.Int32, (x * 2).DType);

        var column = NF.Reshape(x, [3, 1]);
        var row = NF.Range(1, 5);
        var outer = NF.Multiply(column, row);
        Assert.Equal(new Shape(3, 4), outer.Shape);
        Assert.Equal([1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12], outer.ToArray<int>());
        var stretched = NF.Constant(new[,] { { 1, 1, 1, 1 }, { 2, 2, 2, 2 }, { 3, 3, 3, 3 } })
                        * NF.Constant(new[,] { { 1, 2, 3, 4 }, { 1, 2, 3, 4 }, { 1, 2, 3, 4 } });
        Assert.Equal(outer.ToArray<int>(), stretched.ToArray<int>());
        Assert.Equal([1, 2, 3, 1, 2, 3, 1, 2, 3], NF.BroadcastTo(NF.Constant(new[] { 1, 2, 3 }), [3, 3]).ToArray<int>());

        var e = Assert.ThrowsAny<ArgumentException>(() => NF.Constant(new[] { 1, 2, 3 }) * NF.Constant(new[] { 1, 2 }));
        Assert.Contains("(3,) and (2,)", e.Message);
    }

    [SkippableFact]
    public void String_tensors_and_what_stands_in_for_ragged_and_sparse_tensors()
    {
        RequireBackend();
        var scalar = new StringTensor("Gray wolf");
        Assert.Equal(Shape.Scalar, scalar.Shape);
        Assert.Equal(DType.String, scalar.DType);
        var strings = new StringTensor(["Gray wolf", "Quick brown fox", "Lazy dog"]);
        Assert.Equal(new Shape(3), strings.Shape);   // the strings' lengths are not part of the shape
        Assert.Equal("Quick brown fox", strings[1].Item());
        Assert.Equal("🥳👍", new StringTensor("🥳👍").Item());
        // A string tensor holds text, not numbers: arithmetic on it is refused by name.
        var e = Assert.Throws<NotSupportedException>(() => NF.Zeros([2], DType.String));
        Assert.Contains("StringTensor", e.Message);

        // A ragged list cannot be a tensor (tf.constant raises ValueError); a C# jagged array does not compile
        // as a constant, and a flat array with a shape that does not hold it is refused.
        var ragged = Assert.ThrowsAny<ArgumentException>(() => NF.Constant(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, [4, 4]));
        Assert.Contains("10", ragged.Message);

        // tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4]) and tf.sparse.to_dense:
        // NeuralFlow has no sparse tensor; ScatterNd makes the dense one.
        var dense = NF.ScatterNd(NF.Constant(new[,] { { 0, 0 }, { 1, 2 } }), NF.Constant(new[] { 1, 2 }), [3, 4]);
        Assert.Equal([1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0], dense.ToArray<int>());
    }
}

/// <summary>The tensor guide, on the managed backend.</summary>
public sealed class ManagedGuideTensorTests() : GuideTensorTests("managed");

/// <summary>The tensor guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideTensorTests() : GuideTensorTests("cpu");

/// <summary>The tensor guide, on the CUDA backend.</summary>
public sealed class CudaGuideTensorTests() : GuideTensorTests("cuda");
