using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe11;

/// <summary>
/// Custom training loops as TensorFlow's guides write them with <c>@tf.function</c> ("Writing a
/// training loop from scratch", DCGAN, WGAN-GP, adversarial examples, "Better performance with
/// tf.function"), each run once eagerly and once through NF.Function on the same seeds: the
/// replayed run must give the eager run's numbers bit for bit and must have replayed.
/// </summary>
public abstract class TfFunctionGuideTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y) Data(int n, int seed = 3)
    {
        NF.Random.SetSeed(seed);
        var x = NF.Random.Normal([n, 8]);
        var y = NF.Cast(NF.ArgMax(NF.MatMul(x, NF.Random.Normal([8, 3])), axis: 1), DType.Int32);
        return (x, y);
    }

    // The guide's classifier, the same weights at every call, and its loss.
    private static (Sequential Model, Losses.SparseCategoricalCrossentropy Loss) Classifier()
    {
        NF.Random.SetSeed(5);
        return (new Sequential(Layers.Input([8]), new Layers.Dense(16, activation: "relu"), new Layers.Dense(3)),
                new Losses.SparseCategoricalCrossentropy(fromLogits: true));
    }

    // Runs the loop eagerly, then traced (run's argument), and compares their transcripts.
    private static void AssertTracedRunsAsEager(Func<bool, List<float[]>> run) => AssertSameRuns(run(false), run(true));

    private static void AssertSameRuns(List<float[]> eager, List<float[]> traced)
    {
        Assert.Equal(eager.Count, traced.Count);
        for (int i = 0; i < eager.Count; i++) Assert.True(eager[i].AsSpan().SequenceEqual(traced[i]), $"entry {i}: {string.Join(",", eager[i])} vs {string.Join(",", traced[i])}");
    }

    private static void AssertReplayed(Delegate f)
    {
        var info = TracedFunction.Of(f);
        Assert.True(info.ReplayCount > 0 && info.LastCallReplayed, $"replays: {info.ReplayCount}, eager because: {info.EagerReason}");
    }

    // The loop guide: loss and accuracy metrics updated inside the step, read and reset between epochs.
    [SkippableFact]
    public void Metrics_updated_inside_the_step_and_reset_between_epochs_read_as_eagerly()
    {
        RequireBackend();
        var (x, y) = Data(64);
        AssertTracedRunsAsEager(traced =>
        {
            var (model, lossFn) = Classifier();
            var optimizer = new Optimizers.Adam(0.01);
            var lossMean = new Metrics.Mean("loss");
            var accuracy = new Metrics.SparseCategoricalAccuracy();
            Func<Tensor, Tensor, Tensor> body = (xb, yb) =>
            {
                using var tape = new GradientTape();
                var logits = model.Call(xb, training: true);
                var loss = lossFn.Call(yb, logits);
                optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
                lossMean.UpdateState(loss);
                accuracy.UpdateState(yb, logits);
                return loss;
            };
            var step = traced ? NF.Function(body) : body;
            var run = new List<float[]>();
            for (int epoch = 0; epoch < 3; epoch++)
            {
                for (int i = 0; i < 4; i++) step(x[(i * 16)..(i * 16 + 16)], y[(i * 16)..(i * 16 + 16)]);
                run.Add([lossMean.Result(), accuracy.Result()]);
                lossMean.ResetState();
                accuracy.ResetState();
            }
            run.AddRange(model.Variables.Select(v => v.ToArray<float>()));
            if (traced) AssertReplayed(step);
            return run;
        });
    }

    // DCGAN: a discriminator step and a generator step, each its own function, and both in one
    // function under one persistent tape, with fresh noise per call and one optimizer per model.
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_gan_trains_as_eagerly_with_separate_or_combined_steps(bool combined)
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var real = NF.Random.Normal([16, 4]) * 0.5f + 1f;
        AssertTracedRunsAsEager(traced =>
        {
            NF.Random.SetSeed(11);
            var generator = new Sequential(Layers.Input([3]), new Layers.Dense(8, activation: "relu"), new Layers.Dense(4));
            var discriminator = new Sequential(Layers.Input([4]), new Layers.Dense(8, activation: "leaky_relu"), new Layers.Dropout(0.2), new Layers.Dense(1));
            var gOptimizer = new Optimizers.Adam(1e-3, beta1: 0.5);
            var dOptimizer = new Optimizers.Adam(2e-3, beta1: 0.5);
            var bce = new Losses.BinaryCrossentropy(fromLogits: true);
            Func<Tensor, Tensor> dStep = r =>
            {
                var z = NF.Random.Normal([r.Shape[0], 3]);
                using var tape = new GradientTape();
                var realLogits = discriminator.Call(r, training: true);
                var fakeLogits = discriminator.Call(generator.Call(z, training: true), training: true);
                var loss = bce.Call(NF.OnesLike(realLogits), realLogits) + bce.Call(NF.ZerosLike(fakeLogits), fakeLogits);
                dOptimizer.ApplyGradients(tape.Gradient(loss, discriminator.TrainableVariables), discriminator.TrainableVariables);
                return loss;
            };
            Func<Tensor, Tensor> gStep = r =>
            {
                var z = NF.Random.Normal([r.Shape[0], 3]);
                using var tape = new GradientTape();
                var fakeLogits = discriminator.Call(generator.Call(z, training: true), training: true);
                var loss = bce.Call(NF.OnesLike(fakeLogits), fakeLogits);
                gOptimizer.ApplyGradients(tape.Gradient(loss, generator.TrainableVariables), generator.TrainableVariables);
                return loss;
            };
            Func<Tensor, Tensor[]> both = r =>
            {
                var z = NF.Random.Normal([r.Shape[0], 3]);
                using var tape = new GradientTape(persistent: true);
                var realLogits = discriminator.Call(r, training: true);
                var fakeLogits = discriminator.Call(generator.Call(z, training: true), training: true);
                var dLoss = bce.Call(NF.OnesLike(realLogits), realLogits) + bce.Call(NF.ZerosLike(fakeLogits), fakeLogits);
                var gLoss = bce.Call(NF.OnesLike(fakeLogits), fakeLogits);
                var gGrads = tape.Gradient(gLoss, generator.TrainableVariables);
                dOptimizer.ApplyGradients(tape.Gradient(dLoss, discriminator.TrainableVariables), discriminator.TrainableVariables);
                gOptimizer.ApplyGradients(gGrads, generator.TrainableVariables);
                return [dLoss, gLoss];
            };
            NF.Random.SetSeed(99);
            var run = new List<float[]>();
            Delegate last;
            if (combined)
            {
                var f = traced ? NF.Function(both) : both;
                for (int i = 0; i < 5; i++) run.AddRange(f(real).Select(t => t.ToArray<float>()));
                last = f;
            }
            else
            {
                var fd = traced ? NF.Function(dStep) : dStep;
                var fg = traced ? NF.Function(gStep) : gStep;
                for (int i = 0; i < 5; i++)
                {
                    run.Add(fd(real).ToArray<float>());
                    run.Add(fg(real).ToArray<float>());
                }
                if (traced) AssertReplayed(fd);
                last = fg;
            }
            run.AddRange(generator.Variables.Concat(discriminator.Variables).Select(v => v.ToArray<float>()));
            if (traced) AssertReplayed(last);
            return run;
        });
    }

    // Adversarial examples (FGSM: the sign of the gradient with respect to a watched input) and the
    // WGAN-GP gradient penalty (a tape inside a tape), with gradients clipped by their global norm.
    [SkippableFact]
    public void Input_gradients_nested_tapes_and_global_norm_clipping_replay_as_eagerly()
    {
        RequireBackend();
        var (x, y) = Data(64);
        AssertTracedRunsAsEager(traced =>
        {
            var (model, lossFn) = Classifier();
            var optimizer = new Optimizers.Adam(0.01);
            Func<Tensor, Tensor, Tensor[]> body = (xb, yb) =>
            {
                Tensor adversarial;
                using (var inputTape = new GradientTape())
                {
                    inputTape.Watch(xb);
                    var l0 = lossFn.Call(yb, model.Call(xb));
                    adversarial = xb + 0.1f * NF.Sign(inputTape.Gradient(l0, [xb])[0]!);
                }
                using var tape = new GradientTape();
                Tensor penalty;
                using (var inner = new GradientTape())
                {
                    inner.Watch(xb);
                    var g = inner.Gradient(NF.ReduceSum(model.Call(xb, training: true)), [xb])[0]!;
                    penalty = NF.ReduceMean(NF.Square(NF.Sqrt(NF.ReduceSum(NF.Square(g), axis: 1) + 1e-12f) - 1f));
                }
                var loss = lossFn.Call(yb, model.Call(xb, training: true)) + lossFn.Call(yb, model.Call(NF.StopGradient(adversarial), training: true)) + 0.1f * penalty;
                var (clipped, norm) = NF.ClipByGlobalNorm(tape.Gradient(loss, model.TrainableVariables), 0.5);
                optimizer.ApplyGradients(clipped, model.TrainableVariables);
                return [loss, norm, adversarial];
            };
            var step = traced ? NF.Function(body) : body;
            var run = new List<float[]>();
            for (int i = 0; i < 6; i++) run.AddRange(step(x[(i % 4 * 16)..(i % 4 * 16 + 16)], y[(i % 4 * 16)..(i % 4 * 16 + 16)]).Select(t => t.ToArray<float>()));
            run.AddRange(model.Variables.Select(v => v.ToArray<float>()));
            if (traced) AssertReplayed(step);
            return run;
        });
    }

    // Gradient accumulation: micro-batch gradients summed into variables by one function, applied
    // and cleared by another, with momentum and the last, smaller batch (its own signature).
    [SkippableFact]
    public void Gradients_accumulated_over_micro_batches_into_variables_apply_as_eagerly()
    {
        RequireBackend();
        var (x, y) = Data(56);
        AssertTracedRunsAsEager(traced =>
        {
            var (model, lossFn) = Classifier();
            var optimizer = new Optimizers.SGD(0.1, momentum: 0.9);
            var sums = model.TrainableVariables.Select(v => new Variable(NF.ZerosLike(v), trainable: false)).ToArray();
            Func<Tensor, Tensor, Tensor> micro = (xb, yb) =>
            {
                using var tape = new GradientTape();
                var loss = lossFn.Call(yb, model.Call(xb));
                var grads = tape.Gradient(loss, model.TrainableVariables);
                for (int j = 0; j < sums.Length; j++) sums[j].AssignAdd(grads[j]! / 4f);
                return loss;
            };
            Func<Tensor, Tensor> apply = scale =>
            {
                optimizer.ApplyGradients(sums.Select(s => s * scale).ToArray(), model.TrainableVariables);
                foreach (var s in sums) s.Assign(NF.ZerosLike(s));
                return scale * 1;
            };
            var fm = traced ? NF.Function(micro) : micro;
            var fa = traced ? NF.Function(apply) : apply;
            var run = new List<float[]>();
            for (int round = 0; round < 4; round++)
            {
                for (int j = 0; j < 4; j++)
                {
                    int start = j * 16, end = Math.Min(start + 16, 56);
                    run.Add(fm(x[start..end], y[start..end]).ToArray<float>());
                }
                fa(NF.Constant(new[] { 1f }));
            }
            run.AddRange(model.Variables.Concat(sums).Select(v => v.ToArray<float>()));
            if (traced)
            {
                AssertReplayed(fm);
                AssertReplayed(fa);
            }
            return run;
        });
    }

    // "Better performance with tf.function": a captured tensor is captured by value at the trace;
    // rebinding the C# variable is seen by a new signature's trace only (documented on TracedFunction).
    [SkippableFact]
    public void A_captured_tensor_rebound_in_csharp_is_seen_only_by_a_new_trace()
    {
        RequireBackend();
        Tensor offset = NF.Constant(new[] { 10f, 20f });
        var f = NF.Function((Tensor x) => x + offset);
        Assert.Equal(new[] { 11f, 21f }, f(NF.Ones([2])).ToArray<float>());
        offset = NF.Constant(new[] { 100f, 200f });
        Assert.Equal(new[] { 11f, 21f }, f(NF.Ones([2])).ToArray<float>());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);
        Assert.Equal(new[] { 101f, 201f, 102f, 202f }, f(NF.Constant(new[] { 1f, 1f, 2f, 2f }, [2, 2])).ToArray<float>());
        // What should follow changes lives in a variable: every replay reads it.
        var shift = new Variable(NF.Constant(new[] { 10f, 20f }));
        var g = NF.Function((Tensor x) => x + shift);
        g(NF.Ones([2]));
        shift.Assign(NF.Constant(new[] { 100f, 200f }));
        Assert.Equal(new[] { 101f, 201f }, g(NF.Ones([2])).ToArray<float>());
        Assert.True(TracedFunction.Of(g).LastCallReplayed);
    }
}

/// <summary>The guides' loops on the managed backend.</summary>
public sealed class ManagedTfFunctionGuideTests() : TfFunctionGuideTests("managed");

/// <summary>The guides' loops on the native CPU backend.</summary>
public sealed class NativeCpuTfFunctionGuideTests() : TfFunctionGuideTests("cpu");

/// <summary>The guides' loops on CUDA.</summary>
public sealed class CudaTfFunctionGuideTests() : TfFunctionGuideTests("cuda");
