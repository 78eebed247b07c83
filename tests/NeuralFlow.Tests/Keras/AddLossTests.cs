using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Layer.AddLoss (Keras' <c>add_loss</c>): a layer adds a penalty that depends on its inputs from
/// inside its call. <c>layer.Losses</c> holds those of the last forward pass (reset by each
/// outermost call, Sequential, functional and subclassed alike, a shared layer keeping both of its
/// calls'); Fit and Evaluate add each one's sum to the loss and the gradient flows through it, the
/// same bits traced or eager, equal to a custom loop that adds <c>model.Losses</c> itself (the
/// pattern of Keras' "Making new layers and models via subclassing" guide).
/// </summary>
public abstract class AddLossTests(string backend) : BackendTest(backend)
{
    // Keras' guide's ActivityRegularizationLayer: rate * mean(inputs), the inputs passed through.
    private sealed class ActivityPenalty(float rate) : Layer
    {
        protected override Tensor Forward(Tensor x)
        {
            AddLoss(rate * NF.ReduceMean(x));
            return x;
        }
    }

    // Adds a penalty of several elements (Keras sums each of model.losses into the loss).
    private sealed class ElementPenalty : Layer
    {
        protected override Tensor Forward(Tensor x)
        {
            AddLoss(0.01f * NF.Square(x));
            return x;
        }
    }

    // A subclassed model that adds a loss from its own call, from plain ops.
    private sealed class Subclassed : Model
    {
        private readonly Layers.Dense _hidden = new(4, activation: "tanh");
        private readonly Layers.Dense _out = new(3);

        public override Tensor Call(Tensor x)
        {
            var h = _hidden.Call(x);
            AddLoss(0.5f * NF.ReduceMean(NF.Square(h)));
            return _out.Call(h);
        }
    }

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([12, 5]);
        var y = NF.Constant(new[] { 0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2 });
        return (x, y);
    }

    private static Sequential Model(Layer penalty)
    {
        NF.Random.SetSeed(4);
        return new Sequential(new Layers.Dense(6, activation: "relu"), penalty, new Layers.Dense(3));
    }

    private static float Sum(IReadOnlyList<Tensor> losses) => losses.Sum(l => NF.ReduceSum(l).ToArray<float>()[0]);

    [SkippableFact]
    public void Losses_hold_the_last_forward_pass_of_each_kind_of_model()
    {
        RequireBackend();
        var (x, _) = Data();
        var penalty = new ActivityPenalty(0.1f);
        var model = Model(penalty);
        model.Call(x);
        var x2 = x * 2f;
        var h = model.Layers[0].Call(x2);
        model.Call(x2);
        Assert.Single(model.Losses);
        Assert.Single(penalty.Losses);
        Assert.Equal(0.1f * NF.ReduceMean(h).ToArray<float>()[0], model.Losses[0].ToArray<float>()[0], 6);

        // Functional: the same layer applied to two inputs in one pass keeps both of its losses.
        var shared = new ActivityPenalty(1f);
        var a = Layers.Input([5]);
        var b = Layers.Input([5]);
        var functional = new Model([a, b], new Layers.Add().Call([shared.Call(a), shared.Call(b)]));
        var xb = x + 1f;
        for (int i = 0; i < 3; i++) functional.CallOutputs([x, xb]);
        Assert.Equal(2, functional.Losses.Count);
        Assert.Equal(NF.ReduceMean(x).ToArray<float>()[0] + NF.ReduceMean(xb).ToArray<float>()[0], Sum(functional.Losses), 5);

        // Subclassed: its own AddLoss, from repeated calls, holds the last one's.
        var sub = new Subclassed();
        for (int i = 0; i < 3; i++) sub.Call(x * (i + 1f));
        Assert.Single(sub.Losses);
        sub.CallOutputs([x]);
        Assert.Single(sub.Losses);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fit_minimizes_the_added_loss_as_a_custom_loop_that_adds_model_losses(bool runEagerly)
    {
        RequireBackend();
        var (x, y) = Data();
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true);

        // The custom loop of Keras' guide: loss = loss_fn(y, logits) + sum(model.losses).
        var loop = Model(new ActivityPenalty(0.5f));
        var loopOptimizer = new Optimizers.SGD(0.1);
        var expected = new List<float>();
        for (int step = 0; step < 5; step++)
        {
            using var tape = new GradientTape();
            var loss = lossFn.Call(y, loop.Call(x));
            foreach (var l in loop.Losses) loss = loss + NF.ReduceSum(l);
            expected.Add(loss.ToArray<float>()[0]);
            loopOptimizer.ApplyGradients(tape.Gradient(loss, loop.TrainableVariables), loop.TrainableVariables);
        }

        var fitted = Model(new ActivityPenalty(0.5f));
        fitted.Compile(new Optimizers.SGD(0.1), lossFn, runEagerly: runEagerly);
        var history = fitted.Fit(x, y, batchSize: 12, epochs: 5, verbose: 0, shuffle: false);
        for (int e = 0; e < 5; e++) Assert.Equal(expected[e], (float)history["loss"][e], 5);
        for (int i = 0; i < loop.Variables.Count; i++)
        {
            var want = loop.Variables[i].ToArray<float>();
            var got = fitted.Variables[i].ToArray<float>();
            for (int k = 0; k < want.Length; k++) Assert.Equal(want[k], got[k], 5);
        }

        // Evaluate adds it too: the loss at the trained weights.
        var atEnd = lossFn.Call(y, loop.Call(x)).ToArray<float>()[0] + Sum(loop.Losses);
        Assert.Equal(atEnd, fitted.Evaluate(x, y, batchSize: 12).Loss, 5);
    }

    [SkippableFact]
    public void A_loss_of_several_elements_counts_as_their_sum_and_a_subclassed_model_trains_on_its_own()
    {
        RequireBackend();
        var (x, y) = Data();
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var model = Model(new ElementPenalty());
        model.Compile(new Optimizers.SGD(0.05), lossFn);
        var first = lossFn.Call(y, model.Call(x)).ToArray<float>()[0] + Sum(model.Losses);
        var history = model.Fit(x, y, batchSize: 12, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(first, (float)history["loss"][0], 5);

        NF.Random.SetSeed(8);
        var sub = new Subclassed();
        sub.Compile(new Optimizers.SGD(0.05), lossFn);
        var before = lossFn.Call(y, sub.Call(x)).ToArray<float>()[0] + Sum(sub.Losses);
        var h = sub.Fit(x, y, batchSize: 12, epochs: 4, verbose: 0, shuffle: false);
        Assert.Equal(before, (float)h["loss"][0], 5);
        Assert.True(h["loss"][3] < h["loss"][0], $"loss {h["loss"][0]} -> {h["loss"][3]}");
        // After a traced Fit the losses of its trace are gone; the next call adds its own.
        sub.Call(x);
        Assert.Single(sub.Losses);
    }

    // Keras 3: compile(optimizer) without a loss, then fit(x): the loss is what the layers add.
    [SkippableFact]
    public void A_model_compiled_without_a_loss_trains_on_what_its_layers_add()
    {
        RequireBackend();
        var (x, _) = Data();
        var loop = Model(new ElementPenalty());
        var loopOptimizer = new Optimizers.SGD(0.1);
        var expected = new List<float>();
        for (int step = 0; step < 4; step++)
        {
            using var tape = new GradientTape();
            loop.Call(x);
            var loss = NF.ReduceSum(loop.Losses[0]);
            expected.Add(loss.ToArray<float>()[0]);
            loopOptimizer.ApplyGradients(tape.Gradient(loss, loop.TrainableVariables), loop.TrainableVariables);
        }

        var model = Model(new ElementPenalty());
        model.Compile(new Optimizers.SGD(0.1));
        var losses = model.Fit(x, batchSize: 12, epochs: 2, verbose: 0, shuffle: false)["loss"].ToList();
        // And from a dataset of inputs alone.
        losses.AddRange(model.Fit(NeuralFlow.Data.Dataset.FromTensorSlices(x).Batch(12), epochs: 2, verbose: 0)["loss"]);
        for (int e = 0; e < 4; e++) Assert.Equal(expected[e], losses[e], 5);
        loop.Call(x);
        Assert.Equal(NF.ReduceSum(loop.Losses[0]).ToArray<float>()[0], model.Evaluate(x, batchSize: 12).Loss, 5);

        // With neither a compiled loss nor an added one there is nothing to minimize: named, as Keras does.
        var plain = new Sequential(new Layers.Dense(2));
        plain.Compile(new Optimizers.SGD(0.1));
        var e1 = Assert.Throws<InvalidOperationException>(() => plain.Fit(x, batchSize: 12, verbose: 0));
        Assert.Contains("no loss to compute", e1.Message);
        // Compiled metrics need targets: x alone is refused up front.
        var withMetrics = Model(new ElementPenalty());
        withMetrics.Compile(new Optimizers.SGD(0.1), metrics: ["mae"]);
        Assert.Contains("y (the targets) is missing", Assert.Throws<ArgumentException>(() => withMetrics.Fit(x, verbose: 0)).Message);
    }

    [SkippableFact]
    public void A_loss_that_is_not_float_is_refused_naming_the_layer()
    {
        RequireBackend();
        var penalty = new ActivityPenalty(1f);
        var e = Assert.Throws<ArgumentException>(() => penalty.AddLoss(NF.Constant(new[] { 1, 2 })));
        Assert.Contains("AddLoss", e.Message);
        Assert.Contains(penalty.Name, e.Message);
        Assert.Throws<ArgumentNullException>(() => penalty.AddLoss(null!));
    }
}

public sealed class ManagedAddLossTests() : AddLossTests("managed");

public sealed class NativeCpuAddLossTests() : AddLossTests("cpu");

public sealed class CudaAddLossTests() : AddLossTests("cuda");
