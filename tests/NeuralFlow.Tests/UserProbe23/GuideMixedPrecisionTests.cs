using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Mixed precision" guide (guide/mixed_precision.ipynb) in C#, on tiny random data in place
/// of MNIST: the global "mixed_float16" policy, Dense computing in float16 with float32 weights, the
/// float32 softmax output, Compile wrapping the optimizer in a LossScaleOptimizer, float16's overflow and
/// underflow, and the custom loop with loss scaling. NeuralFlow's LossScaleOptimizer is Keras 3's: the
/// guide's <c>get_scaled_loss</c> is <c>ScaleLoss</c>, and <c>ApplyGradients</c> unscales the gradients
/// itself (there is no <c>get_unscaled_gradients</c> to call before it).
/// </summary>
public abstract class GuideMixedPrecisionTests(string backend) : BackendTest(backend)
{
    private static (Model Model, Layers.Dense Dense1) Build()
    {
        var inputs = Layers.Input([20], name: "digits");
        var dense1 = new Layers.Dense(16, activation: "relu", name: "dense_1");
        var x = dense1.Call(inputs);
        x = new Layers.Dense(16, activation: "relu", name: "dense_2").Call(x);
        x = new Layers.Dense(10, name: "dense_logits").Call(x);
        var outputs = new Layers.Activation("softmax", name: "predictions") { Dtype = "float32" }.Call(x);
        return (new Model(inputs, outputs), dense1);
    }

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(7);
        return (NF.Random.Uniform([96, 20]), NF.Random.Uniform([96], 0, 10, DType.Int32));
    }

    [SkippableFact]
    public void The_mixed_policy_computes_in_float16_keeps_float32_weights_and_fits()
    {
        RequireBackend();
        // The policy is process-wide: MixedPolicy puts the previous one (floatx's default) back, pass or fail.
        using (Tests.MixedPrecision.MixedPolicy.Begin("mixed_float16"))
        {
            var policy = NeuralFlow.Keras.MixedPrecision.GlobalPolicy();
            Assert.Equal(DType.Float16, policy.ComputeDType);
            Assert.Equal(DType.Float32, policy.VariableDType);
            Assert.Equal("mixed_float16", NeuralFlow.Keras.MixedPrecision.GlobalPolicy().Name);

            var inputs = Layers.Input([20], name: "digits");
            var dense1 = new Layers.Dense(16, activation: "relu", name: "dense_1");
            var x = dense1.Call(inputs);
            Assert.Equal("mixed_float16", dense1.Dtype.Name);
            Assert.Equal(DType.Float16, x.DType);
            Assert.Equal(DType.Float32, dense1.Kernel!.DType);
            // INCORRECT: a softmax in the mixed layer gives float16 outputs.
            Assert.Equal(DType.Float16, new Layers.Dense(10, activation: "softmax").Call(x).DType);
            // CORRECT: the output activation in float32; a float32 linear activation after it is a no-op cast.
            var logits = new Layers.Dense(10, name: "dense_logits").Call(x);
            var outputs = new Layers.Activation("softmax", name: "predictions") { Dtype = "float32" }.Call(logits);
            Assert.Equal(DType.Float32, outputs.DType);
            Assert.Equal(DType.Float32, new Layers.Activation("linear") { Dtype = "float32" }.Call(outputs).DType);

            var (model, _) = Build();
            model.Compile(loss: "sparse_categorical_crossentropy", optimizer: new Optimizers.RMSprop(), metrics: ["accuracy"]);
            var wrapped = Assert.IsType<Optimizers.LossScaleOptimizer>(model.Optimizer);
            Assert.Equal(32768, wrapped.LossScale);
            var (xs, ys) = Data();
            var history = model.Fit(xs, ys, batchSize: 32, epochs: 2, validationSplit: 0.25, verbose: 0);
            Assert.All(history["loss"], l => Assert.True(float.IsFinite(l) && l > 0));
            Assert.Equal(2, history["val_loss"].Count);
            var (testLoss, testAccuracy) = model.Evaluate(xs, ys, verbose: 0);
            Assert.True(float.IsFinite(testLoss));
            Assert.InRange(testAccuracy, 0f, 1f);
            Assert.Equal(DType.Float32, model.Predict(xs[..4], verbose: 0).DType);
            Assert.All(model.TrainableVariables, v => Assert.Equal(DType.Float32, v.DType));
        }
    }

    [SkippableFact]
    public void Float16_overflows_and_underflows_as_the_guide_shows()
    {
        RequireBackend();
        var big = NF.Constant((Half)256);
        Assert.True(Half.IsPositiveInfinity(NF.Pow(big, 2).Item<Half>()));   // 65536 > 65504, float16's largest
        var small = NF.Constant((Half)1e-5f);
        Assert.Equal((Half)0, NF.Pow(small, 2).Item<Half>());                   // 1e-10 < float16's smallest subnormal
    }

    [SkippableFact]
    public void The_custom_loop_scales_the_loss_and_the_optimizer_unscales_the_gradients()
    {
        RequireBackend();
        using (Tests.MixedPrecision.MixedPolicy.Begin("mixed_float16"))
        {
            var (model, _) = Build();
            var (xs, ys) = Data();
            model.Call(xs[..32]);
            var initialWeights = model.GetWeights().Select(NF.Identity).ToList();
            var optimizer = new Optimizers.LossScaleOptimizer(new Optimizers.RMSprop());
            var lossObject = new Losses.SparseCategoricalCrossentropy();
            var (x, y) = (xs[..32], ys[..32]);

            Tensor[] scaledGradients;
            using (var tape = new GradientTape())
            {
                var predictions = model.Call(x);
                Assert.Equal(DType.Float32, predictions.DType);
                var loss = lossObject.Call(y, predictions);
                var scaledLoss = optimizer.ScaleLoss(loss);
                Assert.Equal(loss.Item<float>() * 32768, scaledLoss.Item<float>(), 1);
                scaledGradients = tape.Gradient(scaledLoss, model.TrainableVariables);
            }
            Assert.All(scaledGradients, g => Assert.Equal(DType.Float32, g.DType));
            var unscaled = scaledGradients.Select(g => g / 32768f).ToArray();
            optimizer.ApplyGradients(scaledGradients, model.TrainableVariables);
            var afterScaled = model.GetWeights().Select(w => w.ToArray<float>()).ToList();
            Assert.Equal(1, optimizer.Iterations);

            // The same step by a plain RMSprop on the unscaled gradients lands on the same weights.
            model.SetWeights(initialWeights);
            new Optimizers.RMSprop().ApplyGradients(unscaled, model.TrainableVariables);
            var afterPlain = model.GetWeights().Select(w => w.ToArray<float>()).ToList();
            for (int i = 0; i < afterPlain.Count; i++)
                for (int j = 0; j < afterPlain[i].Length; j++)
                    Assert.Equal(afterPlain[i][j], afterScaled[i][j], 5);

            // A step with an overflowed gradient is skipped and the scale halves.
            var before = model.GetWeights().Select(w => w.ToArray<float>()).ToList();
            var overflowed = scaledGradients.Select((g, i) => i == 0 ? g * float.PositiveInfinity : g).ToArray();
            optimizer.ApplyGradients(overflowed, model.TrainableVariables);
            Assert.Equal(16384, optimizer.LossScale);
            Assert.Equal(1, optimizer.Iterations);
            Assert.Equal(before.SelectMany(w => w), model.GetWeights().SelectMany(w => w.ToArray<float>()));
        }
    }
}

/// <summary>The mixed precision guide, on the managed backend.</summary>
public sealed class ManagedGuideMixedPrecisionTests() : GuideMixedPrecisionTests("managed");

/// <summary>The mixed precision guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideMixedPrecisionTests() : GuideMixedPrecisionTests("cpu");

/// <summary>The mixed precision guide, on the CUDA backend.</summary>
public sealed class CudaGuideMixedPrecisionTests() : GuideMixedPrecisionTests("cuda");
