using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// Keras' layer.compute_output_shape was missing: Layer.ComputeOutputShape answers what Keras'
/// built-in layers do (shapes worked out by Keras' formulas: conv/pool output lengths, Flatten's
/// product, Reshape's -1, the RNN's return_sequences), without building Dense, Embedding or the
/// recurrent layers; a custom layer's override is what a functional call uses (Keras 3's
/// compute_output_spec), without running its call.
/// </summary>
public abstract class ComputeOutputShapeTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Built_in_layers_answer_keras_shapes()
    {
        RequireBackend();
        Assert.Equal([null, 10], new Layers.Dense(10).ComputeOutputShape([null, 784]));
        Assert.Equal([null, 5, 10], new Layers.Dense(10).ComputeOutputShape([null, 5, 784]));
        Assert.Equal([null, 26, 26, 32], new Layers.Conv2D(32, 3).ComputeOutputShape([null, 28, 28, 1]));
        Assert.Equal([null, 14, 14, 32], new Layers.Conv2D(32, 3, strides: 2, padding: "same").ComputeOutputShape([null, 28, 28, 1]));
        Assert.Equal([null, null, null, 8], new Layers.Conv2D(8, 3).ComputeOutputShape([null, null, null, 3]));
        Assert.Equal([null, 784], new Layers.Flatten().ComputeOutputShape([null, 28, 28]));
        Assert.Equal([null, null], new Layers.Flatten().ComputeOutputShape([null, null, 3]));
        Assert.Equal([null, 7, 4], new Layers.Reshape([7, -1]).ComputeOutputShape([null, 28]));
        Assert.Equal([null, 16], new Layers.LSTM(16).ComputeOutputShape([null, 10, 8]));
        Assert.Equal([null, 10, 16], new Layers.LSTM(16, returnSequences: true).ComputeOutputShape([null, 10, 8]));
        Assert.Equal([null, null, 16], new Layers.GRU(16, returnSequences: true).ComputeOutputShape([null, null, 8]));
        Assert.Equal([null, 20, 64], new Layers.Embedding(1000, 64).ComputeOutputShape([null, 20]));
        Assert.Equal([null, null, 64], new Layers.Embedding(1000, 64).ComputeOutputShape([null, null]));
        Assert.Equal([null, 14, 14, 3], new Layers.MaxPooling2D(2).ComputeOutputShape([null, 28, 28, 3]));
        Assert.Equal([null, 4, 4], new Layers.MaxPooling1D().ComputeOutputShape([null, 9, 4]));
        Assert.Equal([null, 3], new Layers.GlobalAveragePooling2D().ComputeOutputShape([null, 28, 28, 3]));
        Assert.Equal([null, 8], new Layers.Concatenate().ComputeOutputShapeOfList([[null, 3], [null, 5]]));
        Assert.Equal([null, 6, 3], new Layers.Concatenate(axis: 1).ComputeOutputShapeOfList([[null, 2, 3], [null, 4, 3]]));
        // A fixed batch stays fixed.
        Assert.Equal([4, 10], new Layers.Dense(10).ComputeOutputShape([4, 784]));
        Assert.Equal([4, 26, 26, 32], new Layers.Conv2D(32, 3).ComputeOutputShape([4, 28, 28, 1]));
    }

    [SkippableFact]
    public void Dense_embedding_and_rnn_answer_without_building()
    {
        RequireBackend();
        var dense = new Layers.Dense(10);
        var embedding = new Layers.Embedding(100, 4);
        var lstm = new Layers.LSTM(3);
        dense.ComputeOutputShape([null, 784]);
        embedding.ComputeOutputShape([null, 7]);
        lstm.ComputeOutputShape([null, 5, 2]);
        Assert.False(dense.Built);
        Assert.False(embedding.Built);
        Assert.False(lstm.Built);
        // So the layer still builds for what it is called on later (Keras: compute_output_shape builds nothing).
        Assert.Equal([2, 10], dense.Call(NF.Ones([2, 6])).Shape.ToArray());
    }

    [SkippableFact]
    public void Layers_answered_by_a_run_on_zeros_stay_unbuilt_and_draw_no_random_numbers()
    {
        // Before: ComputeOutputShape built a Conv2D for the probed shape (1 channel), so calling it
        // on 3 channels was refused, and its initializer's draws changed every weight drawn after.
        RequireBackend();
        var conv = new Layers.Conv2D(8, 3);
        var norm = new Layers.BatchNormalization();
        var separable = new Layers.SeparableConv2D(4, 3);
        Assert.Equal([null, 26, 26, 8], conv.ComputeOutputShape([null, 28, 28, 1]));
        Assert.Equal([null, 28, 28, 1], norm.ComputeOutputShape([null, 28, 28, 1]));
        Assert.Equal([null, 26, 26, 4], separable.ComputeOutputShape([null, 28, 28, 1]));
        Assert.False(conv.Built);
        Assert.False(norm.Built);
        Assert.False(separable.Built);
        Assert.Equal([2, 8, 8, 8], conv.Call(NF.Ones([2, 10, 10, 3])).Shape.ToArray());
        Assert.Equal([2, 10, 10, 3], norm.Call(NF.Ones([2, 10, 10, 3])).Shape.ToArray());

        NF.Random.SetSeed(17);
        var probed = new Layers.Conv2D(8, 3, name: "probed");
        probed.ComputeOutputShape([null, 28, 28, 3]);
        probed.Call(NF.Ones([1, 5, 5, 3]));
        NF.Random.SetSeed(17);
        var plain = new Layers.Conv2D(8, 3, name: "plain");
        plain.Call(NF.Ones([1, 5, 5, 3]));
        Assert.Equal(plain.Kernel!.ToArray<float>(), probed.Kernel!.ToArray<float>());
        // A built layer answers for itself, as before.
        Assert.Equal([null, 3, 3, 8], plain.ComputeOutputShape([null, 5, 5, 3]));
    }

    [SkippableFact]
    public void Several_outputs_are_named_and_listed_by_ComputeOutputShapes()
    {
        RequireBackend();
        var lstm = new Layers.LSTM(3, returnSequences: true, returnState: true);
        var e = Assert.Throws<InvalidOperationException>(() => lstm.ComputeOutputShape([null, 5, 2]));
        Assert.Contains("ComputeOutputShapes", e.Message);
        var all = lstm.ComputeOutputShapes([null, 5, 2]);
        Assert.Equal(3, all.Length);
        Assert.Equal([null, 5, 3], all[0]);
        Assert.Equal([null, 3], all[1]);
        Assert.Equal([null, 3], all[2]);
    }

    /// <summary>Doubles the last axis by concatenation, and says so without being run.</summary>
    private sealed class Doubler : Layer
    {
        public int Calls { get; private set; }
        public Shape? BuiltFor { get; private set; }

        protected override void Build(Shape inputShape) => BuiltFor = inputShape;

        protected override Tensor Forward(Tensor x)
        {
            Calls++;
            return NF.Concat([x, x], -1);
        }

        public override int?[] ComputeOutputShape(int?[] inputShape) =>
            [.. inputShape[..^1], inputShape[^1] * 2];
    }

    [SkippableFact]
    public void A_custom_override_is_what_the_functional_api_and_summary_use()
    {
        RequireBackend();
        var doubler = new Doubler();
        var input = Layers.Input([3]);
        var output = doubler.Call(input);
        Assert.Equal([null, 6], output.Shape);
        Assert.Equal(0, doubler.Calls);                          // the shape came from the override, not a run
        Assert.Equal(3, doubler.BuiltFor![-1]);                  // built for the input first, as Keras' __call__
        var model = new Model(input, new Layers.Dense(2).Call(output));
        Assert.Contains("(None, 6)", model.SummaryText());
        Assert.Equal([2, 2], model.Predict(NF.Ones([2, 3])).Shape.ToArray());
        Assert.Equal([null, 6], doubler.ComputeOutputShapes([null, 3])[0]);
    }

    [SkippableFact]
    public void Bad_shapes_get_clear_exceptions()
    {
        RequireBackend();
        var dense = new Layers.Dense(10);
        Assert.Throws<ArgumentNullException>(() => dense.ComputeOutputShape((int?[])null!));
        Assert.Contains("batch axis", Assert.Throws<ArgumentException>(() => dense.ComputeOutputShape([])).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => dense.ComputeOutputShape([null, -3])).Message);
        Assert.Contains("(batch, ..., features)", Assert.Throws<ArgumentException>(() => dense.ComputeOutputShape([null])).Message);
        Assert.Contains("(batch, timesteps, features)", Assert.Throws<ArgumentException>(() => new Layers.LSTM(2).ComputeOutputShape([null, 4])).Message);
        Assert.Throws<ArgumentException>(() => new Layers.Reshape([7, -1]).ComputeOutputShape([null, 30]));
        Assert.Throws<ArgumentException>(() => new Layers.Concatenate().ComputeOutputShapeOfList([[null, 2, 3], [null, 4, 3]]));
        Assert.Throws<ArgumentException>(() => new Layers.Concatenate().ComputeOutputShapeOfList(Array.Empty<int?[]>()));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedComputeOutputShapeTests() : ComputeOutputShapeTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuComputeOutputShapeTests() : ComputeOutputShapeTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaComputeOutputShapeTests() : ComputeOutputShapeTests("cuda");
