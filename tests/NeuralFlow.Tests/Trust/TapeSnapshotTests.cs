using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// A tape computes gradients from the values its ops read, not from whatever a variable holds
/// when <c>Gradient</c> runs (TensorFlow's semantics): assigns and optimizer steps after the
/// forward pass move the variable to a fresh buffer only while a live tape still reads the old
/// one, and the usual loop (tape, gradient, optimizer step) writes in place with no copy.
/// </summary>
public abstract class TapeSnapshotTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Persistent_tape_uses_the_value_read_before_an_assign()
    {
        RequireBackend();
        var a = new Variable(2.0);
        var b = new Variable(3.0);
        using var tape = new GradientTape(persistent: true);
        var y = a * b;
        a.Assign(100.0);
        Assert.Equal(100.0, a.Item<double>());
        // TensorFlow: dy/db = a as read by the multiply = 2 (was 100), dy/da = 3.
        Assert.Equal(2.0, tape.Gradient(y, b).Item<double>());
        Assert.Equal(3.0, tape.Gradient(y, a).Item<double>());
        a.AssignAdd(1.0);
        a.AssignSub(0.5);
        Assert.Equal(2.0, tape.Gradient(y, b).Item<double>());
        Assert.Equal(100.5, a.Item<double>());
    }

    [SkippableFact]
    public void Persistent_tape_uses_the_value_read_before_an_optimizer_step()
    {
        RequireBackend();
        foreach (Optimizers.Optimizer optimizer in new Optimizers.Optimizer[] { new Optimizers.SGD(0.5), new Optimizers.Adam(0.5), new Optimizers.RMSprop(0.5), new Optimizers.Adagrad(0.5) })
        {
            var w = new Variable(NF.Constant(new[] { 1.0, -2.0 }, [2]));
            using var tape = new GradientTape(persistent: true);
            var loss = NF.ReduceSum(w * w);
            var first = tape.Gradient(loss, w).ToArray<double>();
            optimizer.ApplyGradients([tape.Gradient(loss, w)], [w]);
            Assert.NotEqual(new[] { 1.0, -2.0 }, w.ToArray<double>());
            // d(sum w^2)/dw = 2 w with w as the forward pass read it.
            Assert.Equal(new[] { 2.0, -4.0 }, first);
            Assert.Equal(new[] { 2.0, -4.0 }, tape.Gradient(loss, w).ToArray<double>());
        }
    }

    [SkippableFact]
    public void Two_tapes_as_in_a_GAN_step_each_see_the_values_of_their_forward_pass()
    {
        RequireBackend();
        // Generator g and discriminator d, one scalar each: fake = g * z, score = d * fake.
        var g = new Variable(1.5);
        var d = new Variable(-0.5);
        var z = NF.Constant(2.0);
        var optimizer = new Optimizers.SGD(0.1);
        Tensor genGrad;
        using (var genTape = new GradientTape())
        using (var discTape = new GradientTape())
        {
            var fake = g * z;
            var score = d * fake;
            var discLoss = -score;
            var genLoss = score;
            optimizer.ApplyGradients([discTape.Gradient(discLoss, d)], [d]);   // d moves: -0.5 + 0.1 * 3 = -0.2
            genGrad = genTape.Gradient(genLoss, g);
        }
        AssertClose([-0.2], [d.Item<double>()], 1e-12, 1e-12);
        // d(score)/dg = d * z with d as the forward pass read it: -0.5 * 2 = -1 (was -0.4).
        Assert.Equal(-1.0, genGrad.Item<double>());
    }

    [SkippableFact]
    public void The_usual_training_loop_updates_variables_in_place_without_a_copy()
    {
        RequireBackend();
        var w = new Variable(NF.Constant(new[] { 1.0, 2.0, 3.0 }, [3]));
        var x = NF.Constant(new[] { 0.5, -1.0, 2.0 }, [3]);
        var buffer = w.Storage;
        foreach (Optimizers.Optimizer optimizer in new Optimizers.Optimizer[] { new Optimizers.SGD(0.1, momentum: 0.9), new Optimizers.Adam(0.1) })
        {
            for (int step = 0; step < 3; step++)
            {
                // Non-persistent tape, used and not disposed (the records go when Gradient returns) ...
                var tape = new GradientTape();
                var loss = NF.ReduceSum(NF.Square(w * x - 1));
                optimizer.ApplyGradients(tape.Gradient(loss, [w]), [w]);
                // ... and a persistent one, disposed before the step.
                Tensor[] grads;
                using (var persistent = new GradientTape(persistent: true))
                {
                    var loss2 = NF.ReduceSum(NF.Square(w * x - 1));
                    grads = persistent.Gradient(loss2, [w]);
                }
                optimizer.ApplyGradients(grads, [w]);
            }
        }
        Assert.Same(buffer, w.Storage);          // the variable never needed a fresh buffer
        Assert.False(buffer.SavedByTape);        // and no tape record still holds it
    }

    [SkippableFact]
    public void Fit_updates_the_model_variables_in_place_without_a_copy()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Uniform([32, 4]);
        var y = NF.Random.Uniform([32], 0, 3, DType.Int32);
        var model = new Sequential(new Layers.Dense(5, activation: "relu"), new Layers.Dense(3, activation: "softmax"));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        var buffers = model.Variables.Select(v => v.Storage).ToArray();
        model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        Assert.Equal(buffers, model.Variables.Select(v => v.Storage).ToArray());
    }

    [SkippableFact]
    public void A_write_the_tape_cannot_divert_makes_Gradient_throw_naming_the_op_and_versions()
    {
        RequireBackend();
        var a = NF.Constant(new[] { 1.0, 2.0 }, [2]);
        var b = NF.Constant(new[] { 3.0, 4.0 }, [2]);
        using var tape = new GradientTape();
        tape.Watch(a);
        var y = NF.ReduceSum(a * b);
        using var view = b[..];                  // a plain tensor over b's buffer: no variable to move
        Engine.CopyInto(NF.Constant(new[] { 7.0, 8.0 }, [2]), view);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Gradient(y, a));
        Assert.Contains("input 1 of Multiply", e.Message);
        Assert.Contains("version 1", e.Message);
        Assert.Contains("version 0", e.Message);
    }

    [SkippableFact]
    public void An_assign_to_a_variable_viewed_by_a_recorded_op_keeps_the_view_value()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[] { 1.0, 2.0, 3.0 }, [3]));
        var c = new Variable(NF.Constant(new[] { 1.0, 1.0 }, [2]));
        using var tape = new GradientTape(persistent: true);
        var y = NF.ReduceSum(v[1..] * c);        // reads v[1], v[2] through a view
        v.Assign(NF.Constant(new[] { 10.0, 20.0, 30.0 }, [3]));
        Assert.Equal(new[] { 2.0, 3.0 }, tape.Gradient(y, c).ToArray<double>());
        Assert.Equal(new[] { 0.0, 1.0, 1.0 }, tape.Gradient(y, v).ToArray<double>());
    }
}

public sealed class ManagedTapeSnapshotTests() : TapeSnapshotTests("managed");

public sealed class NativeCpuTapeSnapshotTests() : TapeSnapshotTests("cpu");

public sealed class CudaTapeSnapshotTests() : TapeSnapshotTests("cuda");
