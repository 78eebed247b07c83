using NeuralFlow.Keras;

namespace NeuralFlow.Tests.MixedPrecision;

/// <summary>
/// Keras 3's dynamic loss scaling (keras/src/optimizers/loss_scale_optimizer.py): a step whose gradients hold
/// an inf or NaN is skipped (weights, slots and iterations unchanged), the scale halves and the count of finite
/// steps restarts; after dynamic_growth_steps finite steps the scale doubles; gradients are divided by the scale
/// before the inner optimizer's step. Compile wraps the optimizer of a mixed_float16 model (trainer.py's
/// auto_scale_loss). The guide's model (Dense 4096 x2 shrunk, a float32 softmax) fits with a falling loss.
/// </summary>
public abstract class LossScaleOptimizerTests(string backend) : BackendTest(backend)
{
    private static Tensor Scalar(float value) => NF.Constant(new[] { value }, [1]);

    [SkippableFact]
    public void Inf_gradients_skip_the_step_and_halve_the_scale_and_finite_ones_double_it_after_the_growth_steps()
    {
        RequireBackend();
        var v = new Variable(Scalar(1f), name: "v");
        var optimizer = new Optimizers.LossScaleOptimizer(new Optimizers.SGD(0.5), initialScale: 8, dynamicGrowthSteps: 3);
        void Step(float scaledGradient) => optimizer.ApplyGradients([Scalar(scaledGradient)], [v]);

        Step(8f);                                   // true gradient 1 at scale 8: v = 1 - 0.5 * 1
        Assert.Equal(0.5f, v.ToArray<float>()[0]);
        Assert.Equal((8.0, 1L, 1L), (optimizer.LossScale, optimizer.StepCounter, optimizer.Iterations));
        Step(float.PositiveInfinity);               // skipped: nothing moves, the scale halves, the count restarts
        Assert.Equal(0.5f, v.ToArray<float>()[0]);
        Assert.Equal((4.0, 0L, 1L), (optimizer.LossScale, optimizer.StepCounter, optimizer.Iterations));
        Step(float.NaN);
        Assert.Equal(0.5f, v.ToArray<float>()[0]);
        Assert.Equal(2.0, optimizer.LossScale);
        Step(2f);                                   // true gradient 1 at scale 2
        Step(2f);
        Assert.Equal((2.0, 2L), (optimizer.LossScale, optimizer.StepCounter));
        Step(2f);                                   // the third finite step in a row doubles the scale
        Assert.Equal(-1f, v.ToArray<float>()[0]);
        Assert.Equal((4.0, 0L, 4L), (optimizer.LossScale, optimizer.StepCounter, optimizer.Iterations));
        Assert.Equal(12f, optimizer.ScaleLoss(NF.Constant(3f)).Item<float>());
    }

    [SkippableFact]
    public void A_skipped_step_leaves_the_inner_optimizers_slots_alone()
    {
        RequireBackend();
        var v = new Variable(Scalar(1f), name: "v");
        var optimizer = new Optimizers.LossScaleOptimizer(new Optimizers.Adam(0.1), initialScale: 4);
        optimizer.ApplyGradients([Scalar(4f)], [v]);
        float after = v.ToArray<float>()[0];
        optimizer.ApplyGradients([NF.Constant(new[] { float.NegativeInfinity }, [1])], [v]);
        optimizer.ApplyGradients([Scalar(2f)], [v]);   // scale 2 now: the same true gradient 1
        var reference = new Variable(Scalar(1f), name: "r");
        var adam = new Optimizers.Adam(0.1);
        adam.ApplyGradients([Scalar(1f)], [reference]);
        Assert.Equal(after, reference.ToArray<float>()[0]);
        adam.ApplyGradients([Scalar(1f)], [reference]);
        Assert.Equal(reference.ToArray<float>()[0], v.ToArray<float>()[0]);   // Adam's second step, not a third
        Assert.Equal(2L, optimizer.Iterations);
    }

    [SkippableFact]
    public void Finalizing_takes_the_inner_optimizers_moving_averages()
    {
        RequireBackend();
        var v = new Variable(Scalar(1f), name: "v");
        var sgd = new Optimizers.SGD(0.5, useEma: true, emaMomentum: 0.5);
        var optimizer = new Optimizers.LossScaleOptimizer(sgd, initialScale: 2);
        optimizer.ApplyGradients([Scalar(2f)], [v]);
        optimizer.ApplyGradients([Scalar(2f)], [v]);
        float average = sgd.AverageOf(v)!.ToArray<float>()[0];
        Assert.NotEqual(average, v.ToArray<float>()[0]);
        optimizer.FinalizeVariableValues([v]);   // what Fit does at its end
        Assert.Equal(average, v.ToArray<float>()[0]);
    }

    [SkippableFact]
    public void Bad_arguments_are_refused()
    {
        RequireBackend();
        Assert.Throws<ArgumentNullException>(() => new Optimizers.LossScaleOptimizer(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.LossScaleOptimizer(new Optimizers.SGD(), initialScale: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.LossScaleOptimizer(new Optimizers.SGD(), initialScale: double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Optimizers.LossScaleOptimizer(new Optimizers.SGD(), dynamicGrowthSteps: 0));
        var inner = new Optimizers.LossScaleOptimizer(new Optimizers.SGD());
        Assert.Throws<ArgumentException>(() => new Optimizers.LossScaleOptimizer(inner));
        Assert.Throws<ArgumentException>(() => inner.ScaleLoss(NF.Constant(3)));
    }

    [SkippableFact]
    public void Its_learning_rate_is_the_inner_optimizers()
    {
        RequireBackend();
        var sgd = new Optimizers.SGD(0.25);
        var optimizer = new Optimizers.LossScaleOptimizer(sgd);
        Assert.Equal(0.25, optimizer.CurrentLearningRate);
        optimizer.LearningRate = 0.125;   // a schedule callback sets the wrapper's rate
        Assert.Equal(0.125, sgd.CurrentLearningRate);
    }

    [SkippableFact]
    public void The_guides_model_fits_under_mixed_float16_with_a_falling_loss()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        Model model;
        using (MixedPolicy.Begin())
        {
            var inputs = Layers.Input([20]);
            var x = new Layers.Dense(64, activation: "relu").Call(inputs);
            x = new Layers.Dense(64, activation: "relu").Call(x);
            x = new Layers.Dense(10).Call(x);
            Assert.Equal(DType.Float16, x.DType);
            var outputs = new Layers.Activation("softmax") { Dtype = "float32" }.Call(x);
            Assert.Equal(DType.Float32, outputs.DType);
            model = new Model(inputs, outputs);
        }
        var data = NF.Random.Normal([64, 20]);
        var labels = NF.Cast(NF.ArgMax(NF.Slice(data, [0, 0], [64, 10]), 1), DType.Int32);
        model.Compile(new Optimizers.RMSprop(0.01), new Losses.SparseCategoricalCrossentropy(), metrics: ["accuracy"]);
        Assert.IsType<Optimizers.LossScaleOptimizer>(model.Optimizer);
        var history = model.Fit(data, labels, batchSize: 16, epochs: 8, verbose: 0);
        var losses = history["loss"];
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < 0.7 * losses[0], $"the loss went from {losses[0]} to {losses[^1]}");
        Assert.All(model.Variables, v => Assert.Equal(DType.Float32, v.DType));
        Assert.Equal(DType.Float32, model.Predict(data, verbose: 0).DType);
    }

    [SkippableFact]
    public void A_compiled_fit_step_replays_its_skipped_and_applied_steps_as_eagerly()
    {
        RequireBackend();
        // Inputs of 20 and targets 0: the loss's float16 gradient of the kernel, 4 * 20 * 20 = 1600 per weight, times
        // the loss scale overflows float16 (65504) until the scale is 32, so the first 10 steps are skipped (the scale
        // halving from 2^15 to 2^5), eagerly: the inner optimizer has no state before its first step. Then the step
        // replays: with dynamicGrowthSteps 2, two applied steps double the scale to 64, the next overflows and halves it,
        // so replays both skip and apply (Keras' ops.cond; a learning rate of 1e-7 keeps the gradient near 1600), with the scale, count and weights of the eager run.
        var runs = new[] { true, false }.Select(eager =>
        {
            Model model;
            using (MixedPolicy.Begin())
                model = new Sequential(Layers.Input([2]), new Layers.Dense(1));
            model.SetWeights([NF.Constant(new[] { 1f, 1f }, [2, 1]), NF.Constant(new[] { 0f }, [1])]);
            var x = NF.Fill([4, 2], 20, DType.Float32, NF.Backend);
            var y = NF.Fill([4, 1], 0, DType.Float32, NF.Backend);
            var scaling = new Optimizers.LossScaleOptimizer(new Optimizers.SGD(1e-7, momentum: 0.5), dynamicGrowthSteps: 2);
            model.Compile(scaling, new Losses.MeanSquaredError(), runEagerly: eager);
            var scales = new List<double>();
            for (int epoch = 0; epoch < 20; epoch++)
            {
                model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
                scales.Add(scaling.LossScale);
            }
            if (!eager) Assert.True(model.TrainFunction is { ReplayCount: >= 5, EagerReason: null }, model.TrainFunction?.EagerReason);
            return (Scales: string.Join(",", scales), scaling.StepCounter, scaling.Iterations, Kernel: model.Variables[0].ToArray<float>());
        }).ToArray();
        Assert.Equal("16384,8192,4096,2048,1024,512,256,128,64,32,32,64,32,32,64,32,32,64,32,32", runs[0].Scales);
        Assert.Equal(runs[0].Scales, runs[1].Scales);
        Assert.Equal((runs[0].StepCounter, runs[0].Iterations), (runs[1].StepCounter, runs[1].Iterations));
        Assert.Equal(runs[0].Kernel, runs[1].Kernel);
        Assert.All(runs[1].Kernel, w => Assert.True(float.IsFinite(w) && w < 1f, $"kernel {w}"));   // the applied steps moved it
    }
}

/// <summary>Loss scaling on the managed backend.</summary>
public sealed class ManagedLossScaleOptimizerTests() : LossScaleOptimizerTests("managed");

/// <summary>Loss scaling on the native CPU backend.</summary>
public sealed class NativeCpuLossScaleOptimizerTests() : LossScaleOptimizerTests("cpu");

/// <summary>Loss scaling on the CUDA backend.</summary>
public sealed class CudaLossScaleOptimizerTests() : LossScaleOptimizerTests("cuda");
