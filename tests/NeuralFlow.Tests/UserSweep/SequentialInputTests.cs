using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras 3's way of giving a Sequential its input, <c>keras.Sequential([keras.Input(shape=(28, 28)),
/// Flatten(), Dense(50), Dense(10)])</c>: the model is built at once (Summary counts the workshop
/// model's 39,760 parameters before any call, without an input row, as Keras prints it; it showed
/// "(unbuilt)" and 0), draws the weights a first call would, trains, and saves and loads; the
/// CNN chapter's first summary, Sequential([Input((28, 28, 1)), Conv2D(8, 3), ...]), has Keras' shapes.
/// </summary>
public abstract class SequentialInputTests(string backend) : BackendTest(backend)
{
    private static Sequential Workshop() =>
        new(Layers.Input([28, 28]), new Layers.Flatten(), new Layers.Dense(50, activation: "relu"), new Layers.Dense(10));

    [SkippableFact]
    public void A_sequential_with_an_input_is_built_at_once()
    {
        RequireBackend();
        var model = Workshop();
        Assert.Equal(39760, model.CountParams());  // keras summary: 39,250 + 510
        var text = model.SummaryText();
        Assert.Contains("(None, 784)", text);
        Assert.Contains("(None, 10)", text);
        Assert.Contains("39,760", text);
        Assert.DoesNotContain("unbuilt", text);
        Assert.DoesNotContain("InputLayer", text);
        var added = new Sequential(new Layers.InputLayer([3]));
        added.Add(new Layers.Dense(2));
        Assert.Equal(8, added.CountParams());
    }

    [SkippableFact]
    public void It_draws_the_weights_a_first_call_would_and_trains_saves_and_loads()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        var x = NF.Random.Uniform([16, 28, 28]);
        NF.Random.SetSeed(5);
        var model = Workshop();
        NF.Random.SetSeed(5);
        var twin = new Sequential(new Layers.Flatten(), new Layers.Dense(50, activation: "relu"), new Layers.Dense(10));
        var expected = twin.Call(x).ToArray<float>();  // built here, from the same seed
        Assert.Equal(expected, model.Call(x).ToArray<float>());
        var y = NF.Range(0, 16) % 10;
        model.Compile(optimizer: "adam", loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var history = model.Fit(x, y, epochs: 3, batchSize: 8, verbose: 0);
        Assert.True(history["loss"][2] < history["loss"][0]);
        var path = Path.Combine(Path.GetTempPath(), $"nf-seq-input-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void Only_an_inputs_tensor_can_start_a_sequential()
    {
        RequireBackend();
        var hidden = new Layers.Dense(4).Call(Layers.Input([3]));
        var e = Assert.Throws<ArgumentException>(() => new Sequential(hidden, new Layers.Dense(2)));
        Assert.Contains("Layers.Input", e.Message);
    }

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
        var kernel = model.Layers[0].GetWeights()[0].ToArray<float>();   // Layers[0]: the Conv2D (Keras lists no input layer)
        Assert.Equal(summary, model.SummaryText());
        Assert.Equal([2, 10], model.Predict(NF.Zeros([2, 28, 28, 1])).Shape.ToArray());
        Assert.Equal(kernel, model.Layers[0].GetWeights()[0].ToArray<float>());
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
