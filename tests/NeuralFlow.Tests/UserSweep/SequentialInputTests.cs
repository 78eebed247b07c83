using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// <c>Sequential([Input((28, 28, 1)), Conv2D(8, 3), MaxPooling2D(2), Flatten(), Dense(10)])</c>
/// followed by <c>model.summary()</c>, the first thing the workshop's CNN chapter prints: Keras
/// builds such a model when it is made, so the summary shows each output shape and parameter
/// count. It printed "(unbuilt)" and "Total params: 0".
/// </summary>
public abstract class SequentialInputTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_stack_that_starts_with_an_input_is_summarized_with_shapes_and_parameters()
    {
        RequireBackend();
        var model = new Sequential(new Layers.InputLayer([28, 28, 1]), new Layers.Conv2D(8, 3, activation: "relu"),
            new Layers.MaxPooling2D(2), new Layers.Flatten(), new Layers.Dense(10));
        var summary = model.SummaryText();
        // Keras' summary of the same model: (None, 26, 26, 8) 80; (None, 13, 13, 8); (None, 1352); (None, 10) 13,530.
        Assert.Contains("(None, 26, 26, 8)", summary);
        Assert.Contains("(None, 13, 13, 8)", summary);
        Assert.Contains("(None, 1352)", summary);
        Assert.Contains("Total params: 13,610", summary);
        Assert.DoesNotContain("unbuilt", summary);
        // Built once: a second summary and a prediction use the same weights.
        var kernel = model.Layers[1].GetWeights()[0].ToArray<float>();
        Assert.Equal(summary, model.SummaryText());
        Assert.Equal([2, 10], model.Predict(NF.Zeros([2, 28, 28, 1])).Shape.ToArray());
        Assert.Equal(kernel, model.Layers[1].GetWeights()[0].ToArray<float>());
    }

    [SkippableFact]
    public void A_stack_without_an_input_stays_unbuilt_until_it_sees_data()
    {
        RequireBackend();
        var model = new Sequential(new Layers.Dense(4), new Layers.Dense(2));
        Assert.Contains("(unbuilt)", model.SummaryText());
        model.Predict(NF.Zeros([1, 3]));
        Assert.Contains("Total params: 26", model.SummaryText());
    }
}

public sealed class ManagedSequentialInputTests() : SequentialInputTests("managed");

public sealed class NativeCpuSequentialInputTests() : SequentialInputTests("cpu");

public sealed class CudaSequentialInputTests() : SequentialInputTests("cuda");
