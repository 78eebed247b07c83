namespace NeuralFlow.Tests.UserProbe4;

/// <summary>
/// GradientTape.Jacobian and BatchJacobian (TensorFlow's <c>tape.jacobian</c> and
/// <c>tape.batch_jacobian</c>), which NeuralFlow lacked: target.shape + source.shape (or
/// [batch] + per-example shapes), one vector-Jacobian product per target element, on a
/// non-persistent tape too (as its one call). References: torch.autograd.functional.jacobian
/// (float64); the batch Jacobian is the diagonal blocks of the full one.
/// </summary>
public abstract class JacobianTests(string backend) : BackendTest(backend)
{
    private static Tensor X() => NF.Constant(new double[,] { { 1, 2, 3 }, { -1, 0.5, 2 } });
    private static Tensor W() => NF.Constant(new double[,] { { 0.1, 0.2 }, { 0.3, -0.4 }, { 0.5, 0.6 } });

    [SkippableFact]
    public void The_jacobian_of_a_vector_function()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1.0, 2.0, 3.0 });
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = NF.Stack([NF.Square(x[0]) + x[1], x[0] * x[1], NF.Sin(x[2])]);
        var jacobian = tape.Jacobian(y, x);
        Assert.Equal(new Shape(3, 3), jacobian.Shape);
        Reference.AssertClose([2, 1, 0, 2, 1, 0, 0, 0, -0.9899924966004454], jacobian.ToArray<double>(), 1e-12, 1e-12);
        // The tape was not persistent: the Jacobian was its one call.
        Assert.Throws<InvalidOperationException>(() => tape.Gradient(NF.ReduceSum(y), x));
    }

    [SkippableFact]
    public void The_jacobian_of_a_layer_with_respect_to_its_weights_has_both_shapes()
    {
        RequireBackend();
        var w = new Variable(W());
        using var tape = new GradientTape(persistent: true);
        var y = NF.Tanh(NF.MatMul(X(), w));
        var jacobian = tape.Jacobian(y, w);
        Assert.Equal(new Shape(2, 2, 3, 2), jacobian.Shape);
        Reference.AssertClose(
            [0.047925344196425884, 0, 0.09585068839285177, 0, 0.14377603258927765, 0, 0, 0.30501999620740905, 0, 0.6100399924148181, 0, 0.9150599886222271,
             -0.38877881920250157, 0, 0.19438940960125078, 0, 0.7775576384050031, 0, 0, -0.5590551677322441, 0, 0.27952758386612203, 0, 1.1181103354644881],
            jacobian.ToArray<double>(), 1e-12, 1e-12);
        Assert.NotNull(tape.Gradient(NF.ReduceSum(y), w));   // a persistent tape still answers
    }

    [SkippableFact]
    public void The_batch_jacobian_is_each_examples_own()
    {
        RequireBackend();
        var x = X();
        using var tape = new GradientTape();
        tape.Watch(x);
        var batchJacobian = tape.BatchJacobian(NF.Tanh(NF.MatMul(x, W())), x);
        Assert.Equal(new Shape(2, 2, 3), batchJacobian.Shape);
        Reference.AssertClose(
            [0.004792534419642589, 0.014377603258927764, 0.023962672098212942, 0.06100399924148181, -0.12200799848296362, 0.18301199772444543,
             0.03887788192025016, 0.11663364576075047, 0.19438940960125078, 0.11181103354644882, -0.22362206709289764, 0.33543310063934645],
            batchJacobian.ToArray<double>(), 1e-12, 1e-12);
    }

    [SkippableFact]
    public void Unconnected_sources_and_mismatched_batches()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, 2f });
        var other = NF.Constant(new[] { 3f });
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        tape.Watch(other);
        var y = x * 2f;
        Assert.Null(tape.Jacobian(y, other));
        Assert.Equal(new float[2], tape.Jacobian(y, other, UnconnectedGradients.Zero).ToArray<float>());
        var error = Assert.Throws<ArgumentException>(() => tape.BatchJacobian(y, other));
        Assert.Contains("batch axis", error.Message);
    }
}

public sealed class ManagedJacobianTests() : JacobianTests("managed");

public sealed class NativeCpuJacobianTests() : JacobianTests("cpu");

public sealed class CudaJacobianTests() : JacobianTests("cuda");
