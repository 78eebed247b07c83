using NeuralFlow.Keras;

namespace NeuralFlow.Tests.MixedPrecision;

/// <summary>
/// One training step of a mixed_float16 MLP (Dense(5, relu), Dense(3), Activation("softmax", dtype="float32"),
/// sparse cross-entropy, SGD(0.1) that Compile wraps in a LossScaleOptimizer) against mixed_mlp_reference.py,
/// torch written by hand as Keras' mixed precision computes: inputs and float32 weights cast to float16 per
/// layer, each float16 op computed in float32 and rounded once, softmax and loss in float32, the loss scaled by
/// 2^15 and the gradients unscaled. The float16 outputs match exactly (weights not read as float16 would differ
/// in 7 of the 30 hidden values); the step matches through Fit and through the guide's GradientTape loop.
/// </summary>
public abstract class MixedMlpStepTests(string backend) : BackendTest(backend)
{
    private static readonly float[] X = [0.00123015337f, 0.298745543f, -0.274137855f, -0.89059186f, -0.454670787f, -0.991646528f, 0.0601436011f, 1.34021521f, -0.492206514f, -0.620474875f, 0.489842057f, 0.356887013f, 0.105414249f, -0.930468023f, -0.0292518232f, 0.695303202f, -1.34421456f, -0.457615763f, -1.90122271f, -1.28953779f, -1.84173501f, -0.235091135f, -1.26744652f, 0.271264344f];
    private static readonly float[] W1 = [0.0940506533f, -0.112158567f, -1.51005578f, -0.323215723f, -0.0291005671f, 0.0679853931f, -0.918081462f, -0.286651969f, -0.587111473f, -0.485302329f, 0.636539161f, -0.484520793f, -0.0195130222f, 0.530633926f, -0.350160271f, -0.0670211688f, 0.0662784874f, 0.0382690653f, -0.735033512f, 0.0456841365f];
    private static readonly float[] B1 = [0.135882348f, -0.154714465f, 0.0859382674f, 0.0119354026f, -0.0641470402f];
    private static readonly float[] W2 = [1.20024991f, 0.457355827f, -0.719573319f, 0.0447097383f, 0.346013755f, -0.113269277f, 0.40974617f, -0.039910391f, 0.400348544f, 0.863113582f, -0.405397356f, 0.121883169f, -0.27798456f, 0.0763610452f, -0.712316692f];
    private static readonly float[] B2 = [-0.0579301603f, -0.0196195971f, 0.0898763835f];
    private static readonly int[] Y = [0, 2, 1, 1, 0, 2];
    private static readonly float[] Hidden = [0.0414428711f, 0f, 0f, 0.345214844f, 0f, 0f, 0.866699219f, 1.10644531f, 0f, 0.470458984f, 0.335449219f, 0.256347656f, 1.01171875f, 0.532714844f, 0.0962524414f, 0.0172729492f, 0.748046875f, 0.220703125f, 0f, 0.426513672f, 0f, 1.25195312f, 2.234375f, 0.652832031f, 0.804199219f, 0f, 0.899902344f, 2.96875f, 0f, 0.560058594f];
    private static readonly float[] Logits = [0.289794922f, -0.140625f, 0.102172852f, 0.303222656f, 0.271972656f, 0.099609375f, 1.20410156f, -0.0266113281f, 0.220947266f, -0.0319213867f, 0.270996094f, -0.222900391f, 1.25390625f, 0.12097168f, 0.349365234f, 1.04296875f, 0.215942383f, 0.77734375f];
    private static readonly float[] Probabilities = [0.403361797f, 0.262280375f, 0.334357858f, 0.359064996f, 0.348017722f, 0.292917252f, 0.600163281f, 0.175298259f, 0.224538565f, 0.314470053f, 0.425730437f, 0.259799421f, 0.579101086f, 0.186520755f, 0.234378204f, 0.453705192f, 0.198426992f, 0.347867846f];
    private const double Loss = 1.05553544;
    private static readonly float[] NewW1 = [0.0956848711f, -0.10704077f, -1.51309538f, -0.325173438f, -0.0184255168f, 0.0729109272f, -0.919972003f, -0.282330692f, -0.578249156f, -0.486009181f, 0.631198585f, -0.478478312f, -0.0267273784f, 0.507806778f, -0.341230839f, -0.0796798617f, 0.0652859062f, 0.0349884257f, -0.757689774f, 0.0396843813f];
    private static readonly float[] NewB1 = [0.147997826f, -0.153060406f, 0.0808479339f, 0.0137847681f, -0.0648546666f];
    private static readonly float[] NewW2 = [1.19721651f, 0.461951762f, -0.721134305f, 0.0350112505f, 0.344799906f, -0.102362297f, 0.385063559f, -0.0470759198f, 0.432184488f, 0.865794539f, -0.401613176f, 0.115413442f, -0.282592714f, 0.0746841058f, -0.706030071f];
    private static readonly float[] NewB2 = [-0.0697648749f, -0.0128935222f, 0.0949819759f];

    private static Tensor T(float[] values, params int[] shape) => NF.Constant(values, shape);

    // The model under "mixed_float16" with the reference's weights; the policy is restored before returning.
    private static (Sequential Model, Layer[] Layers) Mlp()
    {
        using var _ = MixedPolicy.Begin();
        Layer[] layers = [new Layers.Dense(5, activation: "relu"), new Layers.Dense(3), new Layers.Activation("softmax") { Dtype = "float32" }];
        var model = new Sequential(Layers.Input([4]), layers);
        model.SetWeights([T(W1, 4, 5), T(B1, 5), T(W2, 5, 3), T(B2, 3)]);
        return (model, layers);
    }

    private static float[] Floats(Tensor t) => t.DType == DType.Float16 ? t.ToArray<Half>().Select(h => (float)h).ToArray() : t.ToArray<float>();

    private static void AssertClose(float[] want, float[] got, double tolerance)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= tolerance * (1 + Math.Abs(want[i])), $"element {i}: want {want[i]}, got {got[i]}");
    }

    private static void AssertStepped(Model model)
    {
        var v = model.Variables;
        Assert.All(v, w => Assert.Equal(DType.Float32, w.DType));
        AssertClose(NewW1, v[0].ToArray<float>(), 2e-6);
        AssertClose(NewB1, v[1].ToArray<float>(), 2e-6);
        AssertClose(NewW2, v[2].ToArray<float>(), 2e-6);
        AssertClose(NewB2, v[3].ToArray<float>(), 2e-6);
    }

    [SkippableFact]
    public void Each_layer_gives_the_references_dtype_and_float16_values()
    {
        RequireBackend();
        var (model, layers) = Mlp();
        var x = T(X, 6, 4);
        var hidden = layers[0].Call(x);
        var logits = layers[1].Call(hidden);
        var probabilities = layers[2].Call(logits);
        Assert.Equal((DType.Float16, DType.Float16, DType.Float32), (hidden.DType, logits.DType, probabilities.DType));
        Assert.Equal(Hidden, Floats(hidden));
        Assert.Equal(Logits, Floats(logits));
        AssertClose(Probabilities, Floats(probabilities), 1e-6);
        Assert.Equal(DType.Float32, model.Predict(x, verbose: 0).DType);
    }

    [SkippableFact]
    public void A_fit_step_scales_the_loss_unscales_the_gradients_and_updates_the_float32_weights()
    {
        RequireBackend();
        var (model, _) = Mlp();
        model.Compile(new Optimizers.SGD(0.1), new Losses.SparseCategoricalCrossentropy());
        var scaling = Assert.IsType<Optimizers.LossScaleOptimizer>(model.Optimizer);
        Assert.IsType<Optimizers.SGD>(scaling.InnerOptimizer);
        var history = model.Fit(T(X, 6, 4), NF.Constant(Y, [6]), batchSize: 6, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(Loss, history["loss"][0], 5);
        AssertStepped(model);
        Assert.Equal((32768.0, 1L, 1L), (scaling.LossScale, scaling.StepCounter, scaling.Iterations));
    }

    [SkippableFact]
    public void The_guides_gradient_tape_loop_gives_the_same_step()
    {
        RequireBackend();
        var (model, _) = Mlp();
        var optimizer = new Optimizers.LossScaleOptimizer(new Optimizers.SGD(0.1));
        var variables = model.TrainableVariables;
        Tensor?[] grads;
        Tensor loss;
        using (var tape = new GradientTape())
        {
            var p = model.Call(T(X, 6, 4), training: true);
            loss = new Losses.SparseCategoricalCrossentropy().Call(NF.Constant(Y, [6]), p);
            var scaled = optimizer.ScaleLoss(loss);
            Assert.Equal(loss.Item<float>() * 32768f, scaled.Item<float>());
            grads = tape.Gradient(scaled, variables);
        }
        Assert.All(grads, g => Assert.Equal(DType.Float32, g!.DType));   // gradients reach the float32 weights
        optimizer.ApplyGradients(grads, variables);
        Assert.Equal(Loss, loss.Item<float>(), 5);
        AssertStepped(model);
    }
}

/// <summary>The mixed MLP step on the managed backend.</summary>
public sealed class ManagedMixedMlpStepTests() : MixedMlpStepTests("managed");

/// <summary>The mixed MLP step on the native CPU backend.</summary>
public sealed class NativeCpuMixedMlpStepTests() : MixedMlpStepTests("cpu");

/// <summary>The mixed MLP step on the CUDA backend.</summary>
public sealed class CudaMixedMlpStepTests() : MixedMlpStepTests("cuda");
