namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// Host calls inside a compiled step (NF.Function): tf.print and the host-computed special functions (NF.Igamma,
/// NF.Betainc) are recorded as host calls that every replay runs with its own values, so a training step that prints
/// its loss, or uses an incomplete gamma, replays (it ran eagerly before, with a warning) and gives the eager step's
/// numbers and text, bit for bit.
/// </summary>
public abstract class CompiledHostCallsTests(string backend) : BackendTest(backend)
{
    // One training run of a linear model printing its loss, its weights after the update and a column view each step;
    // compiled or eager (the plain lambda), returning the printed text and the final weights.
    private static (string Text, float[] Weights, bool Replayed) PrintingRun(bool compiled)
    {
        var output = new StringWriter();
        var w = new Variable(NF.Constant(new[,] { { 0.5f }, { -0.25f } }), name: "w");
        var b = new Variable(NF.Constant(1f), name: "b");
        var optimizer = new Keras.Optimizers.SGD(0.1);
        Func<Tensor, Tensor, Tensor> body = (x, y) =>
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceMean(NF.Square(NF.MatMul(x, w) - y));
            optimizer.ApplyGradients(tape.Gradient(loss, [w]), [w]);
            NF.Print(output, "loss:", loss, "w:", NF.Transpose(w), "column:", x[.., 1], "weights:", new List<object> { w, 2.5 });
            // Printed before the next writes: the value of each moment, not the step's last.
            NF.Print(output, "before:", w, b);
            b.Assign(b * 0.5f + loss);
            w.AssignAdd(NF.Fill([2, 1], 0.01f));
            NF.Print(output, "after:", w, b);
            return loss;
        };
        var step = compiled ? NF.Function(body) : body;
        for (int i = 0; i < 4; i++)
            step(NF.Constant(new[,] { { 1f, 2f }, { 3f, i }, { -1f, 0.5f * i } }), NF.Constant(new[,] { { 1f }, { 0f }, { 2f } }));
        return (output.ToString(), w.ToArray<float>(), compiled && TracedFunction.Of(step).LastCallReplayed);
    }

    [SkippableFact]
    public void A_step_that_prints_replays_and_prints_what_the_eager_step_prints()
    {
        RequireBackend();
        var eager = PrintingRun(compiled: false);
        var compiled = PrintingRun(compiled: true);
        Assert.True(compiled.Replayed);
        Assert.Equal(eager.Weights, compiled.Weights);
        Assert.Equal(eager.Text, compiled.Text);
        // One print per step (the weights (2, 1) print on two lines, as TensorFlow prints a matrix).
        var prints = compiled.Text.Split("loss: ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, prints.Length);
        // The column view and the weights after each update, as the eager step printed them (a view, a variable).
        Assert.Contains("column: [2 3 1.5]", prints[3]);
        Assert.Contains("]], 2.5]\nbefore: ", prints[0]);
    }

    [SkippableFact]
    public void Printed_dtypes_and_summaries_replay_as_they_print_eagerly()
    {
        RequireBackend();
        var output = new StringWriter();
        var f = NF.Function((Tensor x) =>
        {
            var y = x * 2;
            NF.Print(output, y, NF.Cast(y, DType.Float16), NF.Cast(y, DType.UInt8), NF.Greater(y, 5), NF.Cast(y, DType.Int64), NF.Range(0, 10) + x[0]);
            return y;
        });
        f(NF.Constant(new[] { 1, 2, 3 }));
        f(NF.Constant(new[] { 4, 5, 6 }));
        f(NF.Constant(new[] { 0, 1, 2 }));
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
        Assert.Equal(
            "[2 4 6] [2 4 6] [2 4 6] [0 0 1] [2 4 6] [1 2 3 ... 8 9 10]\n" +
            "[8 10 12] [8 10 12] [8 10 12] [1 1 1] [8 10 12] [4 5 6 ... 11 12 13]\n" +
            "[0 2 4] [0 2 4] [0 2 4] [0 0 0] [0 2 4] [0 1 2 ... 7 8 9]\n",
            output.ToString());
    }

    [SkippableFact]
    public void A_step_training_through_igamma_replays_with_the_eager_numbers()
    {
        RequireBackend();
        (float[] Values, bool Replayed) Run(bool compiled)
        {
            // A Gamma-CDF fit: the shape a (a variable, through Igamma's a-derivative) and the inputs' scale s (through x).
            var a = new Variable(NF.Constant(new[] { 2.0f, 3.5f }), name: "a");
            var s = new Variable(NF.Constant(1.5f), name: "s");
            var optimizer = new Keras.Optimizers.Adam(0.05);
            Func<Tensor, Tensor, Tensor> body = (x, target) =>
            {
                using var tape = new GradientTape();
                var cdf = NF.Igamma(a, x * s) + NF.Betainc(2.0f, 3.0f, NF.Sigmoid(x));
                var loss = NF.ReduceSum(NF.Square(cdf - target));
                optimizer.ApplyGradients(tape.Gradient(loss, [a, s]), [a, s]);
                return loss;
            };
            var step = compiled ? NF.Function(body) : body;
            var losses = new List<float>();
            for (int i = 0; i < 4; i++)
            {
                var x = NF.Constant(new[,] { { 0.5f + i, 1f }, { 2f, 0.25f * i + 0.1f } });
                losses.Add(step(x, NF.Constant(new[,] { { 0.3f, 0.6f }, { 0.9f, 0.2f } })).Item<float>());
            }
            return ([.. losses, .. a.ToArray<float>(), s.Item<float>()], compiled && TracedFunction.Of(step).LastCallReplayed);
        }
        var eager = Run(compiled: false);
        var compiled = Run(compiled: true);
        Assert.True(compiled.Replayed);
        Assert.Equal(eager.Values, compiled.Values);
        // The losses move: every replay read its own inputs.
        Assert.Equal(eager.Values.Length, eager.Values.Distinct().Count());
    }

    [SkippableFact]
    public void A_ctc_training_step_replays_with_the_eager_numbers_and_refuses_a_bad_label_at_a_replay()
    {
        RequireBackend();
        (float[] Values, bool Replayed, Func<Tensor, Tensor, Tensor> Step) Run(bool compiled)
        {
            // Logits [batch 2, time 5, classes 4] from a dense projection of fixed features; labels padded to 3.
            var w = new Variable(NF.Reshape(NF.Cast(NF.Range(12), DType.Float32) * 0.05f - 0.3f, [3, 4]), name: "w");
            var optimizer = new Keras.Optimizers.Adam(0.1);
            var targetLength = NF.Constant(new[] { 2, 3 });
            var outputLength = NF.Constant(new[] { 5, 4 });
            Func<Tensor, Tensor, Tensor> body = (x, labels) =>
            {
                using var tape = new GradientTape();
                var logits = NF.MatMul(x, w);
                var loss = NF.ReduceMean(NF.CtcLoss(labels, logits, targetLength, outputLength));
                optimizer.ApplyGradients(tape.Gradient(loss, [w]), [w]);
                return loss;
            };
            var step = compiled ? NF.Function(body) : body;
            var losses = new List<float>();
            var labels = NF.Constant(new[,] { { 1, 2, 0 }, { 3, 3, 1 } });
            for (int i = 0; i < 4; i++)
            {
                var x = NF.Reshape(NF.Sin(NF.Cast(NF.Range(30), DType.Float32) * (0.3f + 0.1f * i)), [2, 5, 3]);
                losses.Add(step(x, labels).Item<float>());
            }
            return ([.. losses, .. w.ToArray<float>()], compiled && TracedFunction.Of(step).LastCallReplayed, step);
        }
        var eager = Run(compiled: false);
        var compiled = Run(compiled: true);
        Assert.True(compiled.Replayed);
        Assert.Equal(eager.Values, compiled.Values);
        Assert.Equal(eager.Values.Length, eager.Values.Distinct().Count());
        // A label equal to the blank class, refused by the replay's host call as eagerly.
        var ex = Assert.Throws<ArgumentException>(() => compiled.Step(NF.Zeros([2, 5, 3]), NF.Constant(new[,] { { 1, 0, 0 }, { 3, 3, 1 } })));
        Assert.Contains("target[0, 1] is 0, the blank class", ex.Message);
    }

    [SkippableFact]
    public void A_host_result_returned_as_it_is_is_each_replays_own()
    {
        RequireBackend();
        // float64: the host call's own buffer is the output; float32: its cast. Each call's result stays its own.
        var cdf64 = NF.Function((Tensor x) => NF.Igammac(2.0, x));
        var cdf32 = NF.Function((Tensor x) => NF.Igammac(2.0f, x));
        var first64 = cdf64(NF.Constant(new[] { 0.5, 1.0 }));
        var second64 = cdf64(NF.Constant(new[] { 2.0, 3.0 }));
        var first32 = cdf32(NF.Constant(new[] { 0.5f, 1.0f }));
        var second32 = cdf32(NF.Constant(new[] { 2.0f, 3.0f }));
        Assert.True(TracedFunction.Of(cdf64).LastCallReplayed, TracedFunction.Of(cdf64).EagerReason);
        Assert.True(TracedFunction.Of(cdf32).LastCallReplayed, TracedFunction.Of(cdf32).EagerReason);
        // Q(2, x) = (1 + x) e^-x.
        double Q(double x) => (1 + x) * Math.Exp(-x);
        Assert.Equal([Q(0.5), Q(1.0)], first64.ToArray<double>(), (a, b) => Math.Abs(a - b) <= 1e-14 * Math.Abs(b));
        Assert.Equal([Q(2.0), Q(3.0)], second64.ToArray<double>(), (a, b) => Math.Abs(a - b) <= 1e-14 * Math.Abs(b));
        Assert.Equal([(float)Q(0.5), (float)Q(1.0)], first32.ToArray<float>(), (a, b) => Math.Abs(a - b) <= 1e-7f * Math.Abs(b));
        Assert.Equal([(float)Q(2.0), (float)Q(3.0)], second32.ToArray<float>(), (a, b) => Math.Abs(a - b) <= 1e-7f * Math.Abs(b));
    }

    [SkippableFact]
    public void The_ctc_gradient_does_not_need_the_per_example_loss_kept()
    {
        RequireBackend();
        var logits = new Variable(NF.Reshape(NF.Sin(NF.Cast(NF.Range(40), DType.Float32)), [2, 5, 4]), name: "logits");
        var labels = NF.Constant(new[,] { { 1, 2 }, { 3, 1 } });
        var (targetLength, outputLength) = (NF.Constant(new[] { 2, 1 }), NF.Constant(new[] { 5, 3 }));
        float[] Gradient(bool disposeLoss)
        {
            using var tape = new GradientTape();
            var perExample = NF.CtcLoss(labels, logits, targetLength, outputLength);
            var total = NF.ReduceSum(perExample);
            if (disposeLoss) perExample.Dispose();
            return tape.Gradient(total, [logits])[0].ToArray<float>();
        }
        var kept = Gradient(disposeLoss: false);
        Assert.Equal(kept, Gradient(disposeLoss: true));
        Assert.Contains(kept, g => g != 0);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedCompiledHostCallsTests() : CompiledHostCallsTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuCompiledHostCallsTests() : CompiledHostCallsTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaCompiledHostCallsTests() : CompiledHostCallsTests("cuda");
