using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// A functional model on inputs of unknown lengths learns each layer's output shape by running the layer on zeros at
/// two lengths. Those were 64 and 128, so MobileNetV2 on Keras' default [None, None, 3] took 7-14 s to build (0.06 s at
/// [160, 160, 3]); the probes now run at 16 and 32 first, and at 64 and 128 only for a layer that cannot run that short.
/// </summary>
public abstract class FunctionalShortProbeTests(string backend) : BackendTest(backend)
{
    // Records the spatial lengths it is called on (a probe's zeros, or real data).
    private sealed class LengthRecorder : Layer
    {
        public List<int> Heights { get; } = [];

        protected override Tensor Forward(Tensor inputs)
        {
            Heights.Add(inputs.Shape[1]);
            return inputs;
        }
    }

    [SkippableFact]
    public void Unknown_lengths_are_probed_short()
    {
        RequireBackend();
        var recorder = new LengthRecorder();
        var images = Layers.Input([null, null, 3]);
        var features = new Layers.Conv2D(4, 3, strides: 2, padding: "same").Call(recorder.Call(images));
        Assert.Equal(new[] { 16, 32 }, recorder.Heights);
        Assert.Equal([null, null, null, 4], features.Shape);
    }

    [SkippableFact]
    public void A_layer_that_cannot_run_short_is_probed_at_the_full_lengths()
    {
        RequireBackend();
        // A 24-tap valid convolution needs at least 24 steps: the 16-step probe fails, 64 and 128 decide.
        var sequence = Layers.Input([null, 2]);
        var filtered = new Layers.Conv1D(3, 24).Call(sequence);
        Assert.Equal([null, null, 3], filtered.Shape);
        var model = new Model(sequence, new Layers.GlobalMaxPooling1D().Call(filtered));
        Assert.Equal(new Shape(2, 3), model.Predict(NF.Ones([2, 40, 2])).Shape);
        // A length that the weights depend on is still refused, naming the lengths tried.
        var flat = new Layers.Flatten().Call(Layers.Input([null, 2]));
        var e = Assert.Throws<ArgumentException>(() => new Layers.Dense(1).Call(flat));
        Assert.Contains("ran with length 16 but not with 32", e.Message);
    }

    [SkippableFact]
    public void MobileNetV2_on_unknown_sizes_has_keras_shapes_and_counts()
    {
        RequireBackend();
        var model = Applications.MobileNetV2(includeTop: false, weights: null);
        Assert.Equal([null, null, null, 1280], model.Outputs[0].Shape);
        Assert.Equal(2257984, model.CountParams());
        Assert.Equal(new Shape(1, 2, 3, 1280), model.Predict(NF.Zeros([1, 64, 96, 3])).Shape);
    }
}

/// <summary>Short probes of unknown lengths, on the managed backend.</summary>
public sealed class ManagedFunctionalShortProbeTests() : FunctionalShortProbeTests("managed");

/// <summary>Short probes of unknown lengths, on the native CPU backend.</summary>
public sealed class NativeCpuFunctionalShortProbeTests() : FunctionalShortProbeTests("cpu");

/// <summary>Short probes of unknown lengths, on the CUDA backend.</summary>
public sealed class CudaFunctionalShortProbeTests() : FunctionalShortProbeTests("cuda");
