using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NamedData;

/// <summary>
/// Stateful recurrent layers' kept states travel with a saved model (Save/Load and
/// SaveWeights/LoadWeights), so that a reloaded model continues its sequences where the saved one
/// stopped: its next Predict equals the original's next Predict. Before, both files held the
/// weights only and a loaded model started again from zero states. Also Keras' build-time use of
/// a fixed Input batch size (keras/src/layers/rnn/rnn.py, RNN.build creates the state variables
/// for sequences_shape[0]): the states are sized by Layers.Input(batchSize:), so another batch is
/// refused instead of silently given states of its own size.
/// </summary>
public abstract class StatefulStateSavingTests(string backend) : BackendFileTest(backend)
{
    private const int Batch = 2;

    private static Tensor Sequences(int seed, int batch = Batch) =>
        NF.Constant(RandomValues(batch * 3 * 2, seed, -1, 1).Select(v => (float)v).ToArray(), [batch, 3, 2]);

    // An LSTM (two states) feeding a GRU (one), both stateful, on an Input of a fixed batch.
    private static Model Stacked(int? batchSize = Batch, bool stateful = true)
    {
        NF.Random.SetSeed(71);
        var input = Layers.Input([3, 2], batchSize: batchSize, name: "steps");
        var lstm = new Layers.LSTM(4, returnSequences: true, stateful: stateful, name: "lstm").Call(input);
        var gru = new Layers.GRU(3, stateful: stateful, name: "gru").Call(lstm);
        return new Model([input], [new Layers.Dense(1, name: "out").Call(gru)]);
    }

    private static Layers.RNN Rnn(Model model, string name) => (Layers.RNN)model.GetLayer(name);

    [SkippableFact]
    public void A_loaded_stateful_model_continues_where_the_saved_one_stopped()
    {
        RequireBackend();
        var model = Stacked();
        model.Predict(Sequences(1), batchSize: Batch);
        model.Predict(Sequences(2), batchSize: Batch);
        string path = SaveTo(model, "stateful.nfmodel");
        var loaded = Model.Load(path);
        for (int l = 0; l < 2; l++)
        {
            string name = l == 0 ? "lstm" : "gru";
            Assert.Equal(Rnn(model, name).States!.Select(s => s.ToArray<float>()), Rnn(loaded, name).States!.Select(s => s.ToArray<float>()));
        }
        var next = Sequences(3);
        var expected = model.Predict(next, batchSize: Batch).ToArray<float>();
        Assert.Equal(expected, loaded.Predict(next, batchSize: Batch).ToArray<float>());
        // What a model starting from zero states gives differs: the states matter here.
        Rnn(loaded, "lstm").ResetStates();
        Rnn(loaded, "gru").ResetStates();
        Assert.NotEqual(expected, loaded.Predict(next, batchSize: Batch).ToArray<float>());
    }

    [SkippableFact]
    public void A_bidirectional_wrapper_saves_both_directions_states()
    {
        RequireBackend();
        NF.Random.SetSeed(73);
        var model = new Sequential(Layers.Input([3, 2], batchSize: Batch), new Layers.Bidirectional(new Layers.SimpleRNN(2, stateful: true)), new Layers.Dense(1));
        model.Predict(Sequences(7), batchSize: Batch);
        var loaded = Model.Load(SaveTo(model, "bidirectional.nfmodel"));
        var next = Sequences(8);
        Assert.Equal(model.Predict(next, batchSize: Batch).ToArray<float>(), loaded.Predict(next, batchSize: Batch).ToArray<float>());
    }

    [SkippableFact]
    public void Save_weights_keeps_the_states_and_a_stateless_twin_takes_the_weights_alone()
    {
        RequireBackend();
        var model = Stacked();
        model.Predict(Sequences(4), batchSize: Batch);
        string path = Temp.File("stateful.safetensors");
        model.SaveWeights(path);
        var fresh = Stacked();
        fresh.LoadWeights(path);
        var next = Sequences(5);
        Assert.Equal(model.Predict(next, batchSize: Batch).ToArray<float>(), fresh.Predict(next, batchSize: Batch).ToArray<float>());

        // The weights only, into a twin built with stateful: false (for serving or export).
        var twin = Stacked(stateful: false);
        twin.LoadWeights(path);
        Assert.Equal(model.Variables.Select(v => v.ToArray<float>()), twin.Variables.Select(v => v.ToArray<float>()));

        // A model whose stateful layers never ran (no fixed batch, no call) saves no states and loads fine.
        var unbuilt = Stacked(batchSize: null);
        string plain = Temp.File("plain.safetensors");
        unbuilt.SaveWeights(plain);
        var again = Stacked(batchSize: null);
        again.LoadWeights(plain);
        Assert.Null(Rnn(again, "lstm").States);
    }

    [SkippableFact]
    public void The_input_batch_size_fixes_the_states_at_build()
    {
        RequireBackend();
        var model = Stacked();
        // Built, never called: the states already exist for the Input's batch, as Keras' build makes them.
        Assert.Equal(new Shape(Batch, 4), Rnn(model, "lstm").States![0].Shape);
        Assert.Contains("(2, 3, 2)", Assert.Throws<ArgumentException>(() => model.Predict(Sequences(6, batch: 3), batchSize: 3)).Message);
        // The layer called on its own with another batch is refused too (before, it made states of that batch).
        var e = Assert.Throws<InvalidOperationException>(() => Rnn(model, "lstm").Call(Sequences(6, batch: 3)));
        Assert.Contains("batches of 2", e.Message);

        // States kept for another batch than the Input's are named at build.
        NF.Random.SetSeed(72);
        var lstm = new Layers.LSTM(4, stateful: true, name: "kept");
        lstm.ResetStates([NF.Zeros(new Shape(3, 4)), NF.Zeros(new Shape(3, 4))]);
        var input = Layers.Input([3, 2], batchSize: Batch);
        e = Assert.Throws<InvalidOperationException>(() => lstm.Call(input));
        Assert.Contains("kept", e.Message);
        Assert.Contains("batchSize: 2", e.Message);
        Assert.Contains("batches of 3", e.Message);
    }
}

public sealed class ManagedStatefulStateSavingTests() : StatefulStateSavingTests("managed");

public sealed class NativeCpuStatefulStateSavingTests() : StatefulStateSavingTests("cpu");

public sealed class CudaStatefulStateSavingTests() : StatefulStateSavingTests("cuda");
