using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// A CNN user's mistakes and corner cases: a window larger than a "valid" image, an image of the
/// wrong channel count after building, and an empty batch, each a clear .NET exception naming the
/// layer, its op or the problem (or an empty result), never a native crash or a silently wrong shape.
/// </summary>
public abstract class ConvEdgeProbeTests(string backend) : BackendTest(backend)
{
    // A .NET argument or state error whose message names the layer, its op or what was wrong (any of mentions).
    private static void AssertClear(Exception e, params string[] mentions)
    {
        Assert.True(e is ArgumentException or InvalidOperationException, $"{e.GetType().Name}: {e.Message}");
        Assert.True(mentions.Any(e.Message.Contains), $"'{e.Message}' names none of {string.Join(", ", mentions)}");
    }

    [SkippableFact]
    public void A_kernel_larger_than_a_valid_image_is_named()
    {
        RequireBackend();
        var conv = new Layers.Conv2D(2, 3, name: "tiny_conv");
        AssertClear(Assert.ThrowsAny<Exception>(() => conv.Call(NF.Ones([2, 1, 1, 3]))), "tiny_conv", "window spans");
        var pool = new Layers.MaxPooling2D(3, name: "tiny_pool");
        AssertClear(Assert.ThrowsAny<Exception>(() => pool.Call(NF.Ones([2, 2, 2, 3]))), "tiny_pool", "window spans");
        // Dilation widens the window: 3 taps at dilation 3 span 7 rows, more than 5.
        var dilated = new Layers.Conv2D(2, 3, dilationRate: 3, name: "dilated_conv");
        AssertClear(Assert.ThrowsAny<Exception>(() => dilated.Call(NF.Ones([1, 5, 9, 1]))), "dilated_conv", "window spans 7");
    }

    [SkippableFact]
    public void A_symbolic_model_whose_image_shrinks_to_nothing_is_refused_when_built()
    {
        RequireBackend();
        var e = Assert.ThrowsAny<Exception>(() => new Sequential(Layers.Input([4, 4, 1]), new Layers.Conv2D(2, 3, name: "c1"),
            new Layers.Conv2D(2, 3, name: "c2"), new Layers.Conv2D(2, 3, name: "c3")));
        AssertClear(e, "c3", "window spans");
    }

    [SkippableFact]
    public void Another_channel_count_after_building_is_named()
    {
        RequireBackend();
        var conv = new Layers.Conv2D(2, 3, padding: "same", name: "rgb_conv");
        conv.Call(NF.Ones([1, 5, 5, 3]));
        AssertClear(Assert.ThrowsAny<Exception>(() => conv.Call(NF.Ones([1, 5, 5, 1]))), "rgb_conv", "Conv2D", "channel");
        var first = new Layers.Conv2D(2, 3, padding: "same", dataFormat: "channels_first", name: "cf_conv");
        first.Call(NF.Ones([1, 3, 5, 5]));
        AssertClear(Assert.ThrowsAny<Exception>(() => first.Call(NF.Ones([1, 5, 5, 3]))), "cf_conv", "Conv2D", "channel");
    }

    [SkippableFact]
    public void An_empty_batch_flows_through_a_cnn_to_an_empty_result()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var model = new Sequential(new Layers.Conv2D(4, 3, strides: 2, padding: "same"), new Layers.BatchNormalization(),
            new Layers.MaxPooling2D(2, padding: "same"), new Layers.GlobalAveragePooling2D(), new Layers.Dense(2));
        model.Call(NF.Ones([2, 7, 5, 1]));
        var y = model.Predict(NF.Zeros([0, 7, 5, 1]), verbose: 0);
        Assert.Equal([0, 2], y.Shape.ToArray());
        var z = model.Call(NF.Zeros([0, 7, 5, 1]));
        Assert.Equal([0, 2], z.Shape.ToArray());
    }
}

public sealed class ManagedConvEdgeProbeTests() : ConvEdgeProbeTests("managed");

public sealed class NativeCpuConvEdgeProbeTests() : ConvEdgeProbeTests("cpu");

public sealed class CudaConvEdgeProbeTests() : ConvEdgeProbeTests("cuda");
