namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// <c>foreach (var row in tensor)</c> iterates over the first axis, as TensorFlow's eager tensors and PyTorch's do; a
/// scalar refuses, as TensorFlow's "Cannot iterate over a scalar tensor". Before, a Tensor could not be used in foreach
/// at all (no GetEnumerator). Values from tensors_references.py.
/// </summary>
public abstract class TensorsIterationTests(string backend) : BackendTest(backend)
{
    private static Tensor Matrix() => NF.Constant(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });

    [SkippableFact]
    public void Foreach_gives_the_rows_along_the_first_axis()
    {
        RequireBackend();
        using var x = Matrix();
        var rows = new List<float[]>();
        foreach (var row in x)
        {
            Assert.Equal(new Shape(2), row.Shape);
            Assert.Same(x.Backend, row.Backend);
            rows.Add(row.ToArray<float>());
            row.Dispose();   // each row is the caller's, as x[i] is
        }
        Assert.Equal([[1f, 2f], [3f, 4f], [5f, 6f]], rows);
        Assert.False(x.IsDisposed);   // disposing the rows leaves the tensor whole

        // A vector iterates over scalars; an empty first axis iterates over nothing.
        int[] seen = [.. NF.Constant(new[] { 7, 8, 9 }).AsEnumerable().Select(t => t.Item<int>())];
        Assert.Equal([7, 8, 9], seen);
        int count = 0;
        foreach (var _ in NF.Zeros([0, 3])) count++;
        Assert.Equal(0, count);

        // LINQ on the rows, asked for by name.
        Assert.Equal([3f, 7f, 11f], x.AsEnumerable().Select(r => NF.ReduceSum(r).Item<float>()));
    }

    [SkippableFact]
    public void A_scalar_or_disposed_tensor_refuses_to_iterate()
    {
        RequireBackend();
        var scalar = NF.Constant(3f);
        var e = Assert.Throws<InvalidOperationException>(() => { foreach (var _ in scalar) { } });
        Assert.Contains("Cannot iterate over a scalar tensor", e.Message);
        Assert.Throws<InvalidOperationException>(() => scalar.AsEnumerable());   // said when asked, not at the first row
        var gone = Matrix();
        gone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { foreach (var _ in gone) { } });
    }

    [SkippableFact]
    public void Rows_carry_gradients()
    {
        RequireBackend();
        var x = Matrix();
        var w = NF.Constant(new[] { 0.5f, -1f });
        using var tape = new GradientTape();
        tape.Watch(x);
        Tensor total = NF.Constant(0f);
        int i = 1;
        foreach (var row in x) total = total + NF.ReduceSum(row * w) * (float)i++;
        Assert.Equal(-17f, total.Item<float>());
        Assert.Equal([0.5f, -1f, 1f, -2f, 1.5f, -3f], tape.Gradient(total, x).ToArray<float>());
    }

    [SkippableFact]
    public void A_loop_over_a_tensor_traces_unrolled_and_replays()
    {
        RequireBackend();
        int traces = 0;
        var rowSums = NF.Function((Tensor t) =>
        {
            traces++;
            var sums = new List<Tensor>();
            foreach (var row in t) sums.Add(NF.ReduceSum(row));
            return NF.Stack(sums);
        });
        Assert.Equal([3f, 7f, 11f], rowSums(Matrix()).ToArray<float>());
        Assert.Equal([30f, 70f, 110f], rowSums(Matrix() * 10f).ToArray<float>());
        Assert.Equal(1, traces);
        Assert.True(TracedFunction.Of(rowSums).LastCallReplayed);
        // Another first dimension is another plan, unrolled to its own length.
        Assert.Equal([3f, 7f], rowSums(NF.Constant(new float[,] { { 1, 2 }, { 3, 4 } })).ToArray<float>());
        Assert.Equal(2, traces);
    }

    [SkippableFact]
    public void A_tensor_is_not_a_collection_to_comparers()
    {
        RequireBackend();
        // Why foreach is the GetEnumerator pattern and not IEnumerable<Tensor>: xunit would compare tensors row by row,
        // and Assert.Equal(new[] { w }, layer.Weights)-style checks of the same tensors would fail or throw.
        Assert.False(typeof(System.Collections.IEnumerable).IsAssignableFrom(typeof(Tensor)));
        var a = Matrix();
        Assert.Equal(new[] { a }, new[] { a });
    }
}

/// <summary>Tensor iteration on the managed backend.</summary>
public sealed class ManagedTensorsIterationTests() : TensorsIterationTests("managed");

/// <summary>Tensor iteration on the native CPU backend.</summary>
public sealed class NativeCpuTensorsIterationTests() : TensorsIterationTests("cpu");

/// <summary>Tensor iteration on CUDA.</summary>
public sealed class CudaTensorsIterationTests() : TensorsIterationTests("cuda");
