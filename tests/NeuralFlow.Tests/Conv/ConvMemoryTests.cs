using NeuralFlow.Keras;
using Xunit.Abstractions;

namespace NeuralFlow.Tests;

/// <summary>
/// Memory of a convolutional training step (issue 15): the most native bytes held at once during
/// a step stays within 1.5x of what the step must hold anyway, the forward pass' tensors that the
/// tape keeps for the backward pass (activations and im2col columns). The backward pass' own
/// buffers (gradients, col2im images) are transient and must not stack up. On the native and
/// every engine (DeviceBuffer counts every buffer).
/// </summary>
public abstract class ConvMemoryTests(string backend, ITestOutputHelper output) : BackendTest(backend)
{
    [SkippableFact]
    public void A_conv_training_step_peaks_within_one_and_a_half_times_its_forward_tensors()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        using var x = NF.Random.Uniform([64, 28, 28, 1]);
        using var y = NF.Random.Uniform([64], 0, 10, DType.Int32);
        var model = new Sequential(
            new Layers.Conv2D(32, 3, activation: "relu"), new Layers.MaxPooling2D(),
            new Layers.Conv2D(64, 3, activation: "relu"), new Layers.MaxPooling2D(),
            new Layers.Flatten(), new Layers.Dense(128, activation: "relu"), new Layers.Dense(10));
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var optimizer = new Optimizers.Adam();
        void Step(Action? afterForward)
        {
            using var scope = TensorScope.Begin();
            using var tape = new GradientTape();
            var loss = lossFn.Call(y, model.Call(x, training: true));
            afterForward?.Invoke();
            optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
        }
        Step(null);                                   // builds the weights and Adam's slots
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long baseline = Backends.DeviceBuffer.LiveBytes;
        Backends.DeviceBuffer.ResetPeak();
        long forward = 0;
        Step(() => forward = Backends.DeviceBuffer.LiveBytes - baseline);
        long peak = Backends.DeviceBuffer.PeakLiveBytes - baseline;
        output.WriteLine($"{BackendName}: forward holds {forward:N0} bytes, the step peaked at {peak:N0} ({(double)peak / forward:0.00}x)");
        // im2col of the second conv alone is 64*11*11*9*32*4 = 8.9 MB: the forward's tensors are real.
        Assert.True(forward > 8_000_000, $"the forward pass held only {forward:N0} bytes");
        Assert.True(peak <= 1.5 * forward, $"{BackendName}: a training step peaked at {peak:N0} bytes, {(double)peak / forward:0.00}x the {forward:N0} its forward pass keeps for the backward pass.");
    }
}

public sealed class ManagedConvMemoryTests(ITestOutputHelper output) : ConvMemoryTests("managed", output);

public sealed class NativeCpuConvMemoryTests(ITestOutputHelper output) : ConvMemoryTests("cpu", output);

public sealed class CudaConvMemoryTests(ITestOutputHelper output) : ConvMemoryTests("cuda", output);
