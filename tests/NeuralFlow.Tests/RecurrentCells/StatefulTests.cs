using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras' stateful=True on every backend: the final states of a call start the next call, sample i
/// to sample i, so two calls on the halves of a sequence equal one call on the whole; ResetStates
/// zeros them (or sets them); a new batch size is a clear error; masked steps keep the state; Fit
/// keeps the states across batches, its replayed steps carry them as the eager ones do, and a
/// stateful layer saves and loads.
/// </summary>
public abstract class StatefulTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Sequence(int batch, int steps, int features) =>
        NF.Constant(Enumerable.Range(0, batch * steps * features).Select(j => (float)Math.Cos(0.31 * j)).ToArray(), new Shape(batch, steps, features));

    public static TheoryData<string> Kinds() => ["simple", "lstm", "gru", "rnn"];

    private static Layers.RNN Make(string kind, bool stateful, bool returnSequences = false) => kind switch
    {
        "simple" => new Layers.SimpleRNN(3, returnSequences: returnSequences, stateful: stateful),
        "lstm" => new Layers.LSTM(3, returnSequences: returnSequences, stateful: stateful),
        "gru" => new Layers.GRU(3, returnSequences: returnSequences, stateful: stateful),
        _ => new Layers.RNN([new Layers.LSTMCell(3), new MinimalRNNCell(3)], returnSequences: returnSequences, stateful: stateful),
    };

    [SkippableTheory]
    [MemberData(nameof(Kinds))]
    public void Two_calls_on_the_halves_equal_one_call_on_the_whole(string kind)
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        using var x = Sequence(2, 6, 2);
        var whole = Make(kind, stateful: false, returnSequences: true);
        var halves = Make(kind, stateful: true, returnSequences: true);
        var expected = whole.Call(x);
        halves.EnsureBuilt(x.Shape);
        halves.SetWeights(whole.GetWeights());
        Assert.Null(halves.States);
        var first = halves.Call(x[.., ..3]);
        var second = halves.Call(x[.., 3..]);
        TwinFit.Near(expected[.., ..3], first);
        TwinFit.Near(expected[.., 3..], second);
        Assert.Equal(halves.StateCount, halves.States!.Count);
        // The states are not weights: not saved, not trained.
        Assert.Equal(whole.Variables.Count, halves.Variables.Count);

        // ResetStates: the next call starts from zeros again, as the first did.
        halves.ResetStates();
        TwinFit.Near(expected[.., ..3], halves.Call(x[.., ..3]));
        Assert.All(halves.States!, s => Assert.NotEqual(0f, NF.ReduceMax(NF.Abs(s)).Item<float>()));
        halves.ResetStates();
        Assert.All(halves.States!, s => Assert.Equal(0f, NF.ReduceMax(NF.Abs(s)).Item<float>()));
    }

    [SkippableFact]
    public void ResetStates_takes_values_and_errors_name_what_is_wrong()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        using var x = Sequence(2, 4, 2);
        var lstm = new Layers.LSTM(3, stateful: true, returnState: true, name: "keeper");
        var plain = new Layers.LSTM(3, returnState: true);
        plain.EnsureBuilt(x.Shape);
        lstm.EnsureBuilt(x.Shape);
        lstm.SetWeights(plain.GetWeights());
        using var h = NF.Fill([2, 3], 0.5f);
        using var c = NF.Fill([2, 3], -0.25f);
        lstm.ResetStates([h, c]);   // before the first call: fixes the batch size too
        var expected = plain.CallWithStates(x, [h, c]);
        var actual = lstm.CallWithStates(x);
        TwinFit.Near(expected[0], actual[0]);
        TwinFit.Near(expected[2], lstm.States![1]);

        var e = Assert.Throws<InvalidOperationException>(() => lstm.CallWithStates(Sequence(3, 4, 2)));
        Assert.Contains("keeper", e.Message);
        Assert.Contains("batches of 2", e.Message);
        Assert.Contains("batch of 3", e.Message);
        Assert.Throws<ArgumentException>(() => lstm.ResetStates([h]));
        Assert.Contains("stateful: true", Assert.Throws<InvalidOperationException>(() => plain.ResetStates()).Message);
    }

    [SkippableFact]
    public void Masked_steps_keep_the_state_across_calls()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        using var x = Sequence(2, 3, 2);
        var gru = new Layers.GRU(2, stateful: true);
        gru.Call(x);
        var kept = gru.States![0].ToArray<float>();
        using var none = NF.Constant(new[,] { { false, false, false }, { false, false, false } });
        gru.CallWithStates(x, mask: none);
        Assert.Equal(kept, gru.States![0].ToArray<float>());
    }

    [SkippableFact]
    public void Fit_carries_the_states_across_batches_and_its_replay_equals_eager()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        using var x = Sequence(16, 5, 2);
        Sequential Make() => new(Layers.Input([5, 2], batchSize: 4), new Layers.LSTM(3, stateful: true), new Layers.Dense(1, activation: "sigmoid"));
        var (traced, eager, _) = TwinFit.Run(Make, x, batchSize: 4, epochs: 3);
        var (tracedStates, eagerStates) = (((Layers.RNN)traced.Layers[0]).States!, ((Layers.RNN)eager.Layers[0]).States!);
        for (int i = 0; i < tracedStates.Count; i++) Assert.Equal(eagerStates[i].ToArray<float>(), tracedStates[i].ToArray<float>());
        Assert.NotEqual(0f, NF.ReduceMax(NF.Abs(tracedStates[0])).Item<float>());

        // Keras' rule: the batch size is fixed; Fit with another one says so.
        using var y = TwinFit.SignOfSum(x);
        var e = Assert.ThrowsAny<Exception>(() => { traced.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false); });
        Assert.Contains("batches of 4", e.ToString());
    }

    [SkippableFact]
    public void Stateful_layers_save_load_and_wrap_in_bidirectional()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        using var x = Sequence(2, 4, 2);
        var model = new Sequential(Layers.Input([4, 2], batchSize: 2), new Layers.Bidirectional(new Layers.SimpleRNN(2, stateful: true)), new Layers.Dense(1));
        var path = SaveTo(model, "stateful.nfmodel");
        // Input(batchSize: 2) fixes the states at build, zeros, as Keras' RNN.build makes them.
        Assert.Equal([0f, 0, 0, 0], ((Layers.Bidirectional)model.Layers[0]).ForwardLayer.States![0].ToArray<float>());
        var loaded = (Sequential)Model.Load(path);
        Assert.Equal([0f, 0, 0, 0], ((Layers.Bidirectional)loaded.Layers[0]).ForwardLayer.States![0].ToArray<float>());
        var bi = Assert.IsType<Layers.Bidirectional>(loaded.Layers[0]);
        Assert.True(bi.ForwardLayer.Stateful && bi.BackwardLayer.Stateful);
        var first = loaded.Predict(x).ToArray<float>();
        Assert.Equal(model.Predict(x).ToArray<float>(), first);
        // The second call continues from the first one's states, and after ResetStates starts over.
        var second = loaded.Predict(x).ToArray<float>();
        Assert.NotEqual(first, second);
        ((Layers.Bidirectional)loaded.Layers[0]).ResetStates();
        Assert.Equal(first, loaded.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedStatefulTests() : StatefulTests("managed");

public sealed class NativeCpuStatefulTests() : StatefulTests("cpu");

public sealed class CudaStatefulTests() : StatefulTests("cuda");
