using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe18;

/// <summary>
/// TensorFlow's "quickstart for experts" in C#: a subclassed convolutional model trained by a
/// <c>train_step(images, labels)</c> and measured by a <c>test_step</c> that return nothing (they
/// apply gradients and update Mean and SparseCategoricalAccuracy metrics), both compiled with
/// NF.Function. Before, a lambda without a result did not compile as an NF.Function; so neither did
/// a step of no tensors (full-batch training over captured data) nor one of four tensors or
/// returning three. Each compiled run must give the eager run's numbers bit for bit and replay.
/// </summary>
public abstract class QuickstartStepTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y) Images(Tensor x, Tensor y, int n) =>
        (NF.Cast(x[..n][NF.Ellipsis, NF.NewAxis], DType.Float32) / 255f, y[..n]);

    // The tutorial's loop; traced or not, it returns the per-epoch metrics and the final weights.
    private static List<float[]> Quickstart(bool traced)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
        var (trainX, trainY) = Images(xTrain, yTrain, 96);
        var (testX, testY) = Images(xTest, yTest, 40);
        NF.Random.SetSeed(7);
        var model = new QuickstartMyModel(filters: 4, hidden: 16);
        var lossObject = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var optimizer = new Optimizers.Adam();
        var trainLoss = new Metrics.Mean(name: "train_loss");
        var trainAccuracy = new Metrics.SparseCategoricalAccuracy(name: "train_accuracy");
        var testLoss = new Metrics.Mean(name: "test_loss");
        var testAccuracy = new Metrics.SparseCategoricalAccuracy(name: "test_accuracy");
        Action<Tensor, Tensor> trainStep = (images, labels) =>
        {
            using var tape = new GradientTape();
            var predictions = model.Call(images, training: true);
            var loss = lossObject.Call(labels, predictions);
            var gradients = tape.Gradient(loss, model.TrainableVariables);
            optimizer.ApplyGradients(gradients.Zip(model.TrainableVariables));
            trainLoss.UpdateState(loss);
            trainAccuracy.UpdateState(labels, predictions);
        };
        Action<Tensor, Tensor> testStep = (images, labels) =>
        {
            var predictions = model.Call(images, training: false);
            testLoss.UpdateState(lossObject.Call(labels, predictions));
            testAccuracy.UpdateState(labels, predictions);
        };
        if (traced)
        {
            trainStep = NF.Function(trainStep);
            testStep = NF.Function(testStep);
        }
        var trainDs = Dataset.FromTensorSlices(trainX, trainY).Shuffle(96, seed: 3).Batch(32);
        var testDs = Dataset.FromTensorSlices(testX, testY).Batch(32);  // 32 then 8: two signatures
        var run = new List<float[]>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            trainLoss.ResetState();
            trainAccuracy.ResetState();
            testLoss.ResetState();
            testAccuracy.ResetState();
            foreach (var (images, labels) in trainDs) trainStep(images, labels);
            foreach (var (images, labels) in testDs) testStep(images, labels);
            run.Add([trainLoss.Result(), trainAccuracy.Result(), testLoss.Result(), testAccuracy.Result()]);
        }
        run.AddRange(model.Variables.Select(v => v.ToArray<float>()));
        if (traced)
        {
            AssertReplayed(trainStep);
            AssertReplayed(testStep);
        }
        return run;
    }

    private static void AssertReplayed(Delegate f)
    {
        var info = TracedFunction.Of(f);
        Assert.True(info.ReplayCount > 0 && info.LastCallReplayed, $"{info.Name}: replays {info.ReplayCount}, eager because: {info.EagerReason}");
    }

    private static void AssertSameRuns(List<float[]> eager, List<float[]> traced)
    {
        Assert.Equal(eager.Count, traced.Count);
        for (int i = 0; i < eager.Count; i++)
            Assert.True(eager[i].AsSpan().SequenceEqual(traced[i]), $"entry {i}: {string.Join(",", eager[i])} vs {string.Join(",", traced[i])}");
    }

    [SkippableFact]
    public void The_quickstart_steps_without_results_train_and_test_as_eagerly()
    {
        RequireBackend();
        var eager = Quickstart(false);
        var traced = Quickstart(true);
        AssertSameRuns(eager, traced);
        Assert.True(eager[2][0] < eager[0][0], $"train loss {eager[0][0]} -> {eager[2][0]}");
        Assert.True(eager[2][1] > eager[0][1], $"train accuracy {eager[0][1]} -> {eager[2][1]}");
    }

    // Full-batch logistic regression over captured data: the step takes no tensors. One version
    // returns the loss, the other returns nothing and keeps the loss in a variable.
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_step_of_no_tensors_replays_full_batch_training_as_eagerly(bool returnsNothing)
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var x = NF.Random.Normal([64, 5]);
        var y = NF.Cast(NF.ReduceSum(x, axis: 1, keepDims: true) > 0f, DType.Float32);
        List<float[]> Run(bool traced)
        {
            var w = new Variable(NF.Zeros([5, 1]), name: "w");
            var b = new Variable(0f, name: "b");
            var last = new Variable(0f, trainable: false, name: "last_loss");
            var optimizer = new Optimizers.SGD(0.5);
            Func<Tensor> step = () =>
            {
                using var tape = new GradientTape();
                var logits = NF.MatMul(x, w) + b;
                var loss = NF.ReduceMean(NF.SigmoidCrossEntropyWithLogits(y, logits));
                optimizer.ApplyGradients(tape.Gradient(loss, [w, b]), [w, b]);
                return loss;
            };
            Action update = () => last.Assign(step());
            var losses = new List<float[]>();
            if (returnsNothing)
            {
                var f = traced ? NF.Function(update) : update;
                for (int i = 0; i < 6; i++)
                {
                    f();
                    losses.Add(last.ToArray<float>());
                }
                if (traced) AssertReplayed(f);
            }
            else
            {
                var f = traced ? NF.Function(step) : step;
                for (int i = 0; i < 6; i++) losses.Add(f().ToArray<float>());
                if (traced) AssertReplayed(f);
            }
            losses.Add(w.ToArray<float>());
            losses.Add(b.ToArray<float>());
            return losses;
        }
        var eager = Run(false);
        AssertSameRuns(eager, Run(true));
        Assert.True(eager[5][0] < eager[0][0], $"loss {eager[0][0]} -> {eager[5][0]}");
    }

    // A step of x, y, sample weights and a per-step scale (four tensors), returning the loss, the
    // weighted accuracy and the predictions; and the same step as an Action of four tensors.
    [SkippableFact]
    public void Four_inputs_and_three_results_replay_as_eagerly()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var x = NF.Random.Normal([16, 3]);
        var y = NF.Cast(x[.., 0] > 0f, DType.Float32)[.., NF.NewAxis];
        var sw = NF.Random.Uniform([16], 0.5f, 1.5f);
        List<float[]> Run(bool traced)
        {
            NF.Random.SetSeed(9);
            var model = new Sequential(Layers.Input([3]), new Layers.Dense(4, activation: "tanh"), new Layers.Dense(1, activation: "sigmoid"));
            var bce = new Losses.BinaryCrossentropy();
            var optimizer = new Optimizers.Adam(0.05);
            var accuracy = new Metrics.BinaryAccuracy();
            Func<Tensor, Tensor, Tensor, Tensor, (Tensor, Tensor, Tensor)> step = (xb, yb, w, scale) =>
            {
                using var tape = new GradientTape();
                var p = model.Call(xb, training: true);
                var loss = bce.Call(yb, p, w) * scale;
                optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
                var correct = NF.Cast(NF.Equal(NF.Cast(p > 0.5f, DType.Float32), yb), DType.Float32)[.., 0];
                return (loss, NF.ReduceSum(correct * w) / NF.ReduceSum(w), p);
            };
            Func<Tensor, Tensor, Tensor, Tensor, Tensor> lossOnly = (xb, yb, w, scale) => step(xb, yb, w, scale).Item1;
            Action<Tensor, Tensor, Tensor, Tensor> measure = (xb, yb, w, _) => accuracy.UpdateState(yb, model.Call(xb), w);
            Func<Tensor, Tensor, (Tensor, Tensor, Tensor)> pairStep = (xb, yb) => step(xb, yb, NF.OnesLike(yb[.., 0]), NF.Constant(1f));
            var f = traced ? NF.Function(lossOnly) : lossOnly;
            var g = traced ? NF.Function(measure) : measure;
            var h = traced ? NF.Function(pairStep) : pairStep;
            var run = new List<float[]>();
            for (int i = 0; i < 4; i++)
            {
                var scale = NF.Constant(1f / (i + 1));
                run.Add(f(x, y, sw, scale).ToArray<float>());
                g(x, y, sw, scale);
                var (loss, acc, p) = h(x, y);
                run.Add([.. loss.ToArray<float>(), .. acc.ToArray<float>(), .. p.ToArray<float>()]);
            }
            run.Add([accuracy.Result()]);
            run.AddRange(model.Variables.Select(v => v.ToArray<float>()));
            if (traced)
            {
                AssertReplayed(f);
                AssertReplayed(g);
                AssertReplayed(h);
            }
            return run;
        }
        AssertSameRuns(Run(false), Run(true));
    }

    // tf.function's `for x, y in dataset:` inside the function draws fresh batches each call. A
    // replay plan cannot run the C# loop; before, the function replayed the batches of its trace
    // (the first epoch's shuffle order) every epoch. It runs eagerly now, with the reason, and
    // trains exactly as the eager loop; the same is true of an enumerator advanced inside.
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_epoch_looping_over_a_shuffled_dataset_inside_the_function_sees_each_epochs_batches(bool enumerator)
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var x = NF.Random.Normal([12, 2]);
        var y = NF.MatMul(x, NF.Constant(new float[,] { { 1 }, { -2 } }));
        List<float[]> Run(bool traced)
        {
            var ds = Dataset.FromTensorSlices(x, y).Shuffle(12, seed: 5).Batch(4);
            var w = new Variable(NF.Zeros([2, 1]), name: "w");
            Tensor Step(Tensor xb, Tensor yb)
            {
                using var tape = new GradientTape();
                var loss = NF.ReduceMean(NF.Square(NF.MatMul(xb, w) - yb));
                w.AssignSub(tape.Gradient(loss, w) * 0.1f);
                return loss;
            }
            Func<Tensor> epoch = () =>
            {
                Tensor total = NF.Constant(0f);
                foreach (var (xb, yb) in ds) total += Step(xb, yb);
                return total;
            };
            var it = ds.Repeat().GetEnumerator();
            Func<Tensor> next = () =>
            {
                it.MoveNext();
                return Step(it.Current.Item1, it.Current.Item2);
            };
            var body = enumerator ? next : epoch;
            var f = traced ? NF.Function(body) : body;
            var run = new List<float[]>();
            for (int i = 0; i < 4; i++) run.Add([.. f().ToArray<float>(), .. w.ToArray<float>()]);
            if (traced)
            {
                var info = TracedFunction.Of(f);
                Assert.Equal(0, info.ReplayCount);
                Assert.Contains("Dataset", info.EagerReason);
            }
            return run;
        }
        var eager = Run(false);
        AssertSameRuns(eager, Run(true));
        Assert.NotEqual(eager[0][1..], eager[1][1..]);
    }

    // A lambda with a result still binds to the Func overloads beside the new Actions: the compiled
    // function returns what the lambda returns.
    [SkippableFact]
    public void Lambdas_with_results_still_bind_to_the_function_overloads()
    {
        RequireBackend();
        var square = NF.Function((Tensor t) => NF.Square(t));
        var product = NF.Function((Tensor a, Tensor b) => a * b);
        Func<Tensor> three = NF.Function(() => NF.Constant(3f));
        var (p, q, r) = NF.Function((Tensor a) => (a + 1f, a * 2f, -a))(NF.Constant(new[] { 1f, 2f }));
        Assert.Equal(new[] { 4f, 9f }, square(NF.Constant(new[] { 2f, 3f })).ToArray<float>());
        Assert.Equal(new[] { 6f }, product(NF.Constant(new[] { 2f }), NF.Constant(new[] { 3f })).ToArray<float>());
        Assert.Equal(3f, three().Item<float>());
        Assert.Equal(new[] { 2f, 3f }, p.ToArray<float>());
        Assert.Equal(new[] { 2f, 4f }, q.ToArray<float>());
        Assert.Equal(new[] { -1f, -2f }, r.ToArray<float>());
        Assert.Throws<ArgumentNullException>(() => NF.Function((Action<Tensor, Tensor>)null!));
    }
}

/// <summary>The quickstart's steps without results, on the managed backend.</summary>
public sealed class ManagedQuickstartStepTests() : QuickstartStepTests("managed");

/// <summary>The quickstart's steps without results, on the native CPU backend.</summary>
public sealed class NativeCpuQuickstartStepTests() : QuickstartStepTests("cpu");

/// <summary>The quickstart's steps without results, on the CUDA backend.</summary>
public sealed class CudaQuickstartStepTests() : QuickstartStepTests("cuda");
