namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// TensorFlow's guides take <c>tape.gradient</c> after the <c>with tf.GradientTape() as tape:</c> block; ported to a C#
/// using block, that call comes after the tape is disposed. It is refused with a message that says why and what to
/// write instead (it said only "Cannot access a disposed object").
/// </summary>
public abstract class GradientTapeAfterUsingTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_gradient_after_the_using_block_says_to_take_it_inside()
    {
        RequireBackend();
        var v = new Variable(2f);
        Tensor y;
        GradientTape tape;
        using (tape = new GradientTape()) y = v * v;
        var e = Assert.Throws<ObjectDisposedException>(() => tape.Gradient(y, [v]));
        Assert.Contains("GradientTape.Gradient: the tape is disposed", e.Message);
        Assert.Contains("call Gradient inside the using block", e.Message);
        e = Assert.Throws<ObjectDisposedException>(() => tape.Jacobian(y, v));
        Assert.Contains("GradientTape.Jacobian: the tape is disposed", e.Message);
        e = Assert.Throws<ObjectDisposedException>(() => tape.Watch(v));
        Assert.Contains("GradientTape.Watch", e.Message);

        // The port that works: the gradient inside the block.
        using (var inside = new GradientTape())
        {
            y = v * v;
            Assert.Equal(4f, inside.Gradient(y, [v])[0].Item<float>());
        }
    }
}

/// <summary>A gradient after the tape's using block, on the managed backend.</summary>
public sealed class ManagedGradientTapeAfterUsingTests() : GradientTapeAfterUsingTests("managed");

/// <summary>A gradient after the tape's using block, on the native CPU backend.</summary>
public sealed class NativeCpuGradientTapeAfterUsingTests() : GradientTapeAfterUsingTests("cpu");

/// <summary>A gradient after the tape's using block, on the CUDA backend.</summary>
public sealed class CudaGradientTapeAfterUsingTests() : GradientTapeAfterUsingTests("cuda");
