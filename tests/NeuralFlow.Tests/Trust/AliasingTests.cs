// Namespace NeuralFlow.Tests: the emulated-CUDA run (build.cake) selects the Cuda* classes of every namespace.
namespace NeuralFlow.Tests;

/// <summary>
/// A write whose output overlaps its input goes through a temporary: a strided copy that reads
/// a view of the buffer it writes read values it had already overwritten
/// (<c>v.Assign(NF.Transpose(v))</c> gave [[1, 3], [3, 4]] for [[1, 2], [3, 4]]).
/// </summary>
public abstract class AliasingTests(string backend) : BackendTest(backend)
{
    private static float[] Values(Tensor t) => t.ToArray<float>();

    [SkippableFact]
    public void Assign_of_the_variables_own_transpose()
    {
        RequireBackend();
        using var v = new Variable(NF.Constant(new float[,] { { 1, 2 }, { 3, 4 } }));
        using (var t = NF.Transpose(v)) v.Assign(t);
        Assert.Equal([1f, 3, 2, 4], Values(v));
    }

    [SkippableFact]
    public void Assign_of_a_permutation_of_a_larger_variable()
    {
        RequireBackend();
        var data = Enumerable.Range(0, 27).Select(i => (float)i).ToArray();
        using var v = new Variable(NF.Constant(data, [3, 3, 3]));
        using var expected = NF.Transpose(NF.Constant(data, [3, 3, 3]), [2, 0, 1]);
        using (var t = NF.Transpose(v, [2, 0, 1])) v.Assign(t);
        Assert.Equal(Values(expected), Values(v));
    }

    [SkippableFact]
    public void Assign_of_a_broadcast_row_of_the_variable()
    {
        RequireBackend();
        using var v = new Variable(NF.Constant(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }));
        // The broadcast is asked for (assign takes the variable's shape, as TensorFlow's); the value is still a view of v.
        using (var last = v[^1]) using (var spread = NF.BroadcastTo(last, [3, 2])) v.Assign(spread);
        Assert.Equal([5f, 6, 5, 6, 5, 6], Values(v));
    }

    [SkippableFact]
    public void Assign_of_itself_and_of_a_reshaped_view_keeps_the_values()
    {
        RequireBackend();
        using var v = new Variable(NF.Constant(new float[,] { { 1, 2 }, { 3, 4 } }));
        v.Assign(v);
        using (var r = NF.Reshape(NF.Reshape(v, [4]), [2, 2])) v.Assign(r);
        Assert.Equal([1f, 2, 3, 4], Values(v));
    }

    [SkippableFact]
    public void AssignAdd_and_AssignSub_of_the_transpose()
    {
        RequireBackend();
        using var v = new Variable(NF.Constant(new float[,] { { 1, 2 }, { 3, 4 } }));
        using (var t = NF.Transpose(v)) v.AssignAdd(t);
        Assert.Equal([2f, 5, 5, 8], Values(v));
        using (var t = NF.Transpose(v)) v.AssignSub(t);
        Assert.Equal([0f, 0, 0, 0], Values(v));
    }

    [SkippableFact]
    public void CopyInto_a_view_of_the_same_buffer()
    {
        RequireBackend();
        // Engine.CopyInto is the internal copy-into (slice gradients scatter with it).
        using var x = NF.Constant(new float[,] { { 1, 2 }, { 3, 4 } });
        using var t = NF.Transpose(x);
        Engine.CopyInto(t, x);
        Assert.Equal([1f, 3, 2, 4], Values(x));
    }

    [SkippableFact]
    public void CopyInto_a_shifted_slice_of_the_same_buffer()
    {
        RequireBackend();
        // Both views are packed, one element apart: a forward copy would smear x[0] along.
        using var x = NF.Constant(new[] { 1f, 2, 3, 4, 5 });
        using var head = x[..4];
        using var tail = x[1..];
        Engine.CopyInto(head, tail);
        Assert.Equal([1f, 1, 2, 3, 4], Values(x));
    }

    [SkippableFact]
    public void A_fused_optimizer_step_whose_gradient_is_the_variable_itself()
    {
        RequireBackend();
        // The fused kernels take restrict pointers: the gradient must not be the variable's buffer.
        using var v = new Variable(NF.Constant(new[] { 1f, 2f }));
        new Keras.Optimizers.SGD(0.5, momentum: 0.5, nesterov: true).ApplyGradients([v], [v]);
        // velocity = -0.5 g; w += 0.5 * velocity - 0.5 g = w - 0.75 w
        Assert.Equal([0.25f, 0.5f], Values(v));
    }

    [SkippableFact]
    public void Overlap_is_detected_by_byte_range()
    {
        RequireBackend();
        using var x = NF.Zeros([4, 4]);
        using var top = x[..2];
        using var bottom = x[2..];
        using var middle = x[1..3];
        using var other = NF.Zeros([2, 4]);
        Assert.False(Aliasing.MayShareMemory(top, top.Layout, bottom, bottom.Layout));
        Assert.True(Aliasing.MayShareMemory(top, top.Layout, middle, middle.Layout));
        Assert.False(Aliasing.MayShareMemory(top, top.Layout, other, other.Layout));
        Assert.True(Aliasing.SameElements(top.Layout, top.Layout));
        using var tt = NF.Transpose(x);
        Assert.False(Aliasing.SameElements(x.Layout, tt.Layout));
    }
}

public sealed class ManagedAliasingTests() : AliasingTests("managed");
public sealed class NativeCpuAliasingTests() : AliasingTests("cpu");
public sealed class CudaAliasingTests() : AliasingTests("cuda");
