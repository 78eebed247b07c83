namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// Sliced assignment that broadcasts (<c>v[1..3] = row</c>, <c>v[.., 0] = column</c>, <c>v[1..3] = 5f</c>): NumPy's
/// rule, a value that broadcasts to the part's shape. TensorFlow's <c>v[1:3].assign(x)</c> (strided_slice_assign)
/// wants the part's exact shape ("Automatic broadcasting not yet implemented"); NeuralFlow takes every value TF takes
/// and NumPy's broadcast ones besides. A value that does not broadcast is refused naming both shapes, as NumPy's
/// "could not broadcast input array from shape (2,) into shape (2,3)". Values from leftovers_references.py.
/// A plain Tensor's indexer has no setter (a tensor is immutable), so <c>tensor[..., 0] = row</c> does not compile.
/// </summary>
public abstract class LeftoversSliceAssignTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Broadcast_values_fill_the_part_as_in_numpy()
    {
        RequireBackend();
        var v = new Variable(NF.Zeros([4, 3]));
        v[1..3] = NF.Constant(new[] { 7f, 8f, 9f });        // a row over two rows
        v[.., 0] = NF.Constant(new[] { 1f, 2f, 3f, 4f });    // a column
        v[2..4] = NF.Constant(new[,] { { 5f }, { 6f } });    // [2, 1] over [2, 3]
        // numpy: [1, 0, 0, 2, 8, 9, 5, 5, 5, 6, 6, 6].
        Assert.Equal([1f, 0, 0, 2, 8, 9, 5, 5, 5, 6, 6, 6], v.ToArray<float>());

        v[1..3] = 0f;                                        // a C# number, in the variable's dtype
        v[NF.Step(.., 2), 2] = NF.Constant(-1f);             // a scalar tensor over a strided part
        Assert.Equal([1f, 0, -1, 0, 0, 0, 0, 0, -1, 6, 6, 6], v.ToArray<float>());
        Assert.Equal(new Shape(4, 3), v.Shape);
    }

    [SkippableFact]
    public void A_value_that_does_not_broadcast_is_refused_naming_both_shapes()
    {
        RequireBackend();
        var v = new Variable(NF.Zeros([4, 3]));
        var e = Assert.Throws<ArgumentException>(() => v[1..3] = NF.Constant(new[] { 7f, 8f }));
        Assert.Contains("a value of shape (2,) does not fit the part of shape (2, 3)", e.Message);
        Assert.Contains("variable of shape (4, 3)", e.Message);
        Assert.Equal("value", e.ParamName);
        // A value larger than the part does not broadcast down.
        Assert.Throws<ArgumentException>(() => v[0] = NF.Zeros([2, 3]));
        // Nothing was written by the refused assignments.
        Assert.Equal(new float[12], v.ToArray<float>());
        // Another dtype is refused rather than converted (a C# number adapts, a tensor does not).
        Assert.Throws<ArgumentException>(() => v[0] = NF.Constant(new[] { 1.0, 2.0, 3.0 }));
    }
}

/// <summary>Broadcast slice assignment on the managed backend.</summary>
public sealed class ManagedLeftoversSliceAssignTests() : LeftoversSliceAssignTests("managed");

/// <summary>Broadcast slice assignment on the native CPU backend.</summary>
public sealed class NativeCpuLeftoversSliceAssignTests() : LeftoversSliceAssignTests("cpu");

/// <summary>Broadcast slice assignment on CUDA.</summary>
public sealed class CudaLeftoversSliceAssignTests() : LeftoversSliceAssignTests("cuda");
