namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// <c>NF.Roll(x, shift, axis)</c> with shift an int tensor (<c>tf.roll</c> with a tensor shift, as the DeepDream
/// tutorial's random_roll draws it inside a tf.function): the shift is read on the device, so a traced function replays
/// with each call's shift; the values are the int-shift Roll's (np.roll's) for every shift, negative or past the length.
/// </summary>
public abstract class TensorRollAtTensorTests(string backend) : BackendTest(backend)
{
    // 0..11 as a 3 x 4 grid: element (r, c) is 4r + c.
    private static Tensor Grid() => NF.Reshape(NF.Range(0f, 12f), [3, 4]);

    [SkippableFact]
    public void A_tensor_shift_rolls_as_the_int_shift_does()
    {
        RequireBackend();
        var x = Grid();
        foreach (int s in new[] { 0, 1, 3, 4, 5, -1, -6, 13 })
        {
            Assert.Equal(NF.Roll(x, s, 1).ToArray<float>(), NF.Roll(x, NF.Constant(s), 1).ToArray<float>());
            Assert.Equal(NF.Roll(x, s, 0).ToArray<float>(), NF.Roll(x, NF.Constant((long)s), 0).ToArray<float>());
        }
        // np.roll(np.arange(12).reshape(3, 4), (1, -1), axis=(0, 1))
        Assert.Equal([9f, 10, 11, 8, 1, 2, 3, 0, 5, 6, 7, 4], NF.Roll(x, NF.Constant(new[] { 1, -1 }), [0, 1]).ToArray<float>());
        // An axis named twice: the sum of its shifts (np.roll(a, (1, 2), axis=(1, 1)) rolls axis 1 by 3).
        Assert.Equal(NF.Roll(x, 3, 1).ToArray<float>(), NF.Roll(x, NF.Constant(new[] { 1, 2 }), [1, -1]).ToArray<float>());

        // The gradient is the upstream gradient rolled back.
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = NF.ReduceSum(NF.Roll(x, NF.Constant(1), 1) * NF.Constant(new[] { 1f, 2f, 3f, 4f }));
        Assert.Equal([2f, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1], tape.Gradient(y, x).ToArray<float>());
    }

    [SkippableFact]
    public void A_traced_random_roll_replays_with_each_calls_shift()
    {
        RequireBackend();
        int traces = 0;
        var roll = NF.Function((Tensor image, Tensor shift) =>
        {
            traces++;
            return NF.Roll(image, shift, [0, 1]);
        });
        var x = Grid();
        foreach (var (dy, dx) in new[] { (0, 0), (1, 2), (-1, 3), (2, -5) })
            Assert.Equal(NF.Roll(x, [dy, dx], [0, 1]).ToArray<float>(), roll(x, NF.Constant(new[] { dy, dx })).ToArray<float>());
        Assert.Equal(1, traces);
        Assert.True(TracedFunction.Of(roll).LastCallReplayed);
    }

    [SkippableFact]
    public void Bad_shifts_and_axes_are_refused()
    {
        RequireBackend();
        var x = Grid();
        Assert.Throws<ArgumentException>(() => NF.Roll(x, NF.Constant(1f), 0));                         // float shift
        Assert.Throws<ArgumentException>(() => NF.Roll(x, NF.Constant(new[] { 1, 2 }), [0]));          // two shifts, one axis
        Assert.Throws<ArgumentException>(() => NF.Roll(x, NF.Constant(1), [0, 1]));                    // a scalar for two axes
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Roll(x, NF.Constant(1), 2));
        Assert.Equal(new Shape(0, 4), NF.Roll(NF.Zeros([0, 4]), NF.Constant(3), 0).Shape);
    }
}

/// <summary>Tensor-shift rolls on the managed backend.</summary>
public sealed class ManagedTensorRollAtTensorTests() : TensorRollAtTensorTests("managed");

/// <summary>Tensor-shift rolls on the native CPU backend.</summary>
public sealed class NativeCpuTensorRollAtTensorTests() : TensorRollAtTensorTests("cpu");

/// <summary>Tensor-shift rolls on CUDA.</summary>
public sealed class CudaTensorRollAtTensorTests() : TensorRollAtTensorTests("cuda");
