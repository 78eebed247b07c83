using NeuralFlow.Keras;
using NeuralFlow.Tests.MixedPrecision;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// A functional call of a convolution, BatchNormalization or Activation takes its output shape from Keras'
/// compute_output_shape formula (and a Dense or LayerNormalization too) instead of running the layer on zeros of one example (which made EfficientNetB7 at
/// 600x600 take 10-19 s to build, now about 5). Each model here is built both ways (Layer.ShapeRulesOn off runs every
/// layer on zeros, as before): every layer's output shape and dtype and every weight must be the same.
/// </summary>
public abstract class FunctionalShapeRuleTests(string backend) : BackendTest(backend)
{
    // Builds the model with the rules and again with every layer probed on zeros, from the same seed.
    internal static Model SameAsProbed(Func<Model> build)
    {
        NF.Random.SetSeed(11);
        var ruled = build();
        Layer.ShapeRulesOn = false;
        Model probed;
        try
        {
            NF.Random.SetSeed(11);
            probed = build();
        }
        finally { Layer.ShapeRulesOn = true; }
        Assert.Equal(probed.Layers.Count, ruled.Layers.Count);
        for (int i = 0; i < ruled.Layers.Count; i++)
        {
            var (r, p) = (ruled.Layers[i], probed.Layers[i]);
            Assert.Equal(p.GetType(), r.GetType());
            Assert.True(p.Output.Shape.SequenceEqual(r.Output.Shape), $"{r.Name}: {r.Output} where the run on zeros gives {p.Output}");
            Assert.Equal(p.Output.DType, r.Output.DType);
        }
        Assert.Equal(probed.Variables.Count, ruled.Variables.Count);
        for (int i = 0; i < ruled.Variables.Count; i++)
            Assert.Equal(NF.Cast(probed.Variables[i], DType.Float32).ToArray<float>(), NF.Cast(ruled.Variables[i], DType.Float32).ToArray<float>());
        return ruled;
    }

    [SkippableFact]
    public void Two_d_convolutions_of_every_padding_stride_and_dilation_match_their_run()
    {
        RequireBackend();
        foreach (var shape in new int?[][] { [17, 23, 3], [null, null, 3], [5, null, 3] })
        {
            var model = SameAsProbed(() =>
            {
                var x = Layers.Input(shape);
                var y = new Layers.Conv2D(8, 3, strides: 2, padding: "same").Call(x);
                y = new Layers.BatchNormalization().Call(y);
                y = new Layers.Activation("swish").Call(y);
                y = new Layers.DepthwiseConv2D(3, strides: 2, depthMultiplier: 2).Call(y);
                y = new Layers.SeparableConv2D(5, 3, padding: "same", dilationRate: 2).Call(y);
                y = new Layers.Conv2D(4, [1, 3], strides: [1, 2], padding: "valid").Call(y);
                return new Model(x, y);
            });
            if (shape[0] is not null && shape[1] is not null)
            {
                // 17x23 -> same/2: 9x12 -> valid 3/2: 4x5 (depth x2 = 16) -> same dilated: 4x5x5 -> valid [1,3]/[1,2]: 4x2x4.
                Assert.Equal(new int?[] { null, 4, 2, 4 }, model.Output.Shape);
                Assert.Equal([1, 4, 2, 4], model.Predict(NF.Zeros([1, 17, 23, 3]), verbose: 0).Shape.ToArray());
            }
        }
    }

    [SkippableFact]
    public void One_and_three_d_causal_and_channels_first_convolutions_match_their_run()
    {
        RequireBackend();
        SameAsProbed(() =>
        {
            var x = Layers.Input([20, 4]);
            var y = new Layers.Conv1D(6, 3, padding: "causal", dilationRate: 2).Call(x);
            y = new Layers.Conv1D(5, 4, strides: 3).Call(y);
            y = new Layers.DepthwiseConv1D(2, depthMultiplier: 3).Call(y);
            y = new Layers.SeparableConv1D(3, 2, strides: 2, padding: "same").Call(y);
            return new Model(x, y);
        });
        SameAsProbed(() =>
        {
            var x = Layers.Input([3, 9, 10, 11], batchSize: 2);
            var y = new Layers.Conv3D(4, [2, 3, 4], strides: [1, 2, 3], dataFormat: "channels_first").Call(x);
            return new Model(x, y);
        });
    }

    [SkippableFact]
    public void A_mixed_policy_model_gets_the_dtypes_of_its_run()
    {
        RequireBackend();
        using var policy = MixedPolicy.Begin();
        var model = SameAsProbed(() =>
        {
            var x = Layers.Input([8, 8, 3]);
            var y = new Layers.Conv2D(4, 3).Call(x);            // float32 in, a float16 computation: run on zeros
            y = new Layers.BatchNormalization().Call(y);        // float16 in: by the rule
            y = new Layers.Conv2D(2, 3, padding: "same").Call(y);
            y = new Layers.Activation("relu") { Dtype = "float32" }.Call(y);
            return new Model(x, y);
        });
        Assert.Equal(DType.Float32, model.Output.DType);
        Assert.Equal(DType.Float16, model.Layers[2].Output.DType);
    }

    [SkippableFact]
    public void Applications_build_the_same_either_way()
    {
        RequireBackend();
        SameAsProbed(() => Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, weights: null, classes: 3));
        SameAsProbed(() => Applications.EfficientNetB0(inputShape: [32, 32, 3], weights: null, includeTop: false));
        SameAsProbed(() =>
        {
            // A ConvNeXt-style block over unknown lengths: grouped convolution, LayerNormalization, Dense on the channels.
            var x = Layers.Input([null, null, 4]);
            var y = new Layers.Conv2D(4, 7, padding: "same", groups: 4).Call(x);
            y = new Layers.LayerNormalization(epsilon: 1e-6).Call(y);
            y = new Layers.Dense(16, activation: "gelu").Call(y);
            y = new Layers.Dense(4).Call(y);
            return new Model(x, y);
        });
    }

    [SkippableFact]
    public void Inputs_a_layer_cannot_take_are_still_refused_at_the_call()
    {
        RequireBackend();
        // A window larger than the image, a rank the layer does not take, and a shared layer called on other channels.
        Assert.ThrowsAny<ArgumentException>(() => new Layers.Conv2D(4, 5).Call(Layers.Input([3, 3, 1])));
        Assert.ThrowsAny<ArgumentException>(() => new Layers.Conv2D(4, 3).Call(Layers.Input([8, 3])));
        var shared = new Layers.Conv2D(4, 3);
        shared.Call(Layers.Input([8, 8, 3]));
        Assert.ThrowsAny<Exception>(() => shared.Call(Layers.Input([8, 8, 5])));
        Assert.ThrowsAny<ArgumentException>(() => new Layers.BatchNormalization(axis: 3).Call(Layers.Input([4, 2])));
    }
}

/// <summary>Functional shape rules on the managed backend.</summary>
public sealed class ManagedFunctionalShapeRuleTests() : FunctionalShapeRuleTests("managed");

/// <summary>Functional shape rules on the native CPU backend.</summary>
public sealed class NativeCpuFunctionalShapeRuleTests() : FunctionalShapeRuleTests("cpu");

/// <summary>Functional shape rules on CUDA.</summary>
public sealed class CudaFunctionalShapeRuleTests() : FunctionalShapeRuleTests("cuda");
