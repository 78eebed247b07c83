using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The cross-entropy losses feed the logits behind a softmax output to one fused kernel; that
/// shortcut must not serve logits that changed (an assigned variable) since the softmax ran.
/// </summary>
public abstract class SoftmaxShortcutTests(string backend) : BackendTest(backend)
{
    // -log(softmax([1, 2, 3])[2]) = log(e + e^2 + e^3) - 3 (TensorFlow and PyTorch: 0.40760596...).
    private const double LossOfOldLogits = 0.4076059644443803;

    private static (Variable Logits, Tensor Probabilities) SoftmaxThenAssign()
    {
        var logits = new Variable(NF.Constant(new[] { 1.0, 2.0, 3.0 }, [1, 3]));
        var probabilities = NF.KerasSoftmax(logits);
        logits.Assign(NF.Constant(new[] { 0.0, 10.0, 0.0 }, [1, 3]));   // the fused path would give ~10
        return (logits, probabilities);
    }

    [SkippableFact]
    public void Sparse_crossentropy_uses_the_probabilities_once_the_logits_were_assigned()
    {
        RequireBackend();
        var (_, p) = SoftmaxThenAssign();
        var loss = new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(new[] { 2 }, [1]), p);
        Assert.Equal(LossOfOldLogits, loss.Item<double>(), 1e-6);
    }

    [SkippableFact]
    public void Categorical_crossentropy_uses_the_probabilities_once_the_logits_were_assigned()
    {
        RequireBackend();
        var (_, p) = SoftmaxThenAssign();
        var loss = new Losses.CategoricalCrossentropy().Call(NF.Constant(new[] { 0.0, 0.0, 1.0 }, [1, 3]), p);
        Assert.Equal(LossOfOldLogits, loss.Item<double>(), 1e-6);
    }

    [SkippableFact]
    public void Also_when_a_tape_made_the_assign_move_the_variable_to_a_fresh_buffer()
    {
        RequireBackend();
        using var tape = new GradientTape(persistent: true);
        var (logits, p) = SoftmaxThenAssign();
        var loss = new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(new[] { 2 }, [1]), p);
        Assert.Equal(LossOfOldLogits, loss.Item<double>(), 1e-6);
        // d loss / d logits = softmax(old logits) - onehot(2), through the softmax.
        double e1 = Math.Exp(1), e2 = Math.Exp(2), e3 = Math.Exp(3), s = e1 + e2 + e3;
        Reference.AssertClose([e1 / s, e2 / s, e3 / s - 1], tape.Gradient(loss, logits).ToArray<double>(), 1e-6, 1e-9);
    }

    [SkippableFact]
    public void The_shortcut_still_serves_unchanged_logits()
    {
        RequireBackend();
        var logits = new Variable(NF.Constant(new[] { 1.0, 2.0, 3.0 }, [1, 3]));
        var p = NF.KerasSoftmax(logits);
        Assert.Same(logits, p.SoftmaxOf);
        Assert.Equal(LossOfOldLogits, new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(new[] { 2 }, [1]), p).Item<double>(), 1e-6);
        logits.AssignAdd(NF.ZerosLike(logits));
        Assert.Null(p.SoftmaxOf);
    }

    // Keras 3 fuses only its own softmax (activation "softmax", layers.Softmax), which marks its
    // output; tf.nn.softmax's output is plain probabilities, clipped to [1e-7, 1 - 1e-7] by the loss.
    // logits [0, 100], true class 0: the fused value would be 100, Keras gives -log(1e-7) = 16.118095.
    [SkippableFact]
    public void NF_Softmax_output_is_plain_probabilities_clipped_as_keras_clips_them()
    {
        RequireBackend();
        var logits = NF.Constant(new[] { 0.0, 100.0 }, [1, 2]);
        var p = NF.Softmax(logits);
        Assert.Null(p.SoftmaxOf);
        Assert.Equal(-Math.Log(1e-7), new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(new[] { 0 }, [1]), p).Item<double>(), 1e-5);
        Assert.Equal(-Math.Log(1e-7), new Losses.CategoricalCrossentropy().Call(NF.Constant(new[] { 1.0, 0.0 }, [1, 2]), p).Item<double>(), 1e-5);
        // The Keras activation and layer take the logits: 100.
        Assert.Equal(100.0, new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(new[] { 0 }, [1]), ActivationFunction.Get("softmax").Apply(logits)).Item<double>(), 1e-9);
        Assert.Equal(100.0, new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(new[] { 0 }, [1]), new Keras.Layers.Softmax().Call(logits)).Item<double>(), 1e-9);
    }
}

public sealed class ManagedSoftmaxShortcutTests() : SoftmaxShortcutTests("managed");

public sealed class NativeCpuSoftmaxShortcutTests() : SoftmaxShortcutTests("cpu");

public sealed class CudaSoftmaxShortcutTests() : SoftmaxShortcutTests("cuda");
