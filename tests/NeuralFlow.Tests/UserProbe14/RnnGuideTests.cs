using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe14;

/// <summary>
/// keras.io's "Working with RNNs" guide in C#: the parameter counts its summaries print, return
/// sequences and states, a stateful LSTM over sub-sequences (the same as the whole sequence at once),
/// its states handed to a new layer as initial_state, Bidirectional's merge modes, and an RNN of a
/// user's cell whose weights take add_weight's default initializer.
/// </summary>
public abstract class RnnGuideTests(string backend) : BackendTest(backend)
{
    private static long[] Params(Sequential m) => m.Layers.Select(l => l.CountParams()).ToArray();

    [SkippableFact]
    public void Parameter_counts_are_the_guides()
    {
        RequireBackend();
        var lstm = new Sequential(Layers.Input([null], dtype: DType.Int32), new Layers.Embedding(1000, 64), new Layers.LSTM(128), new Layers.Dense(10));
        Assert.Equal(new long[] { 64000, 98816, 1290 }, Params(lstm));
        var gru = new Sequential(Layers.Input([null], dtype: DType.Int32), new Layers.Embedding(1000, 64),
            new Layers.GRU(256, returnSequences: true), new Layers.SimpleRNN(128), new Layers.Dense(10));
        Assert.Equal(new long[] { 64000, 247296, 49280, 1290 }, Params(gru));
        var bidirectional = new Sequential(Layers.Input([5, 10]), new Layers.Bidirectional(new Layers.LSTM(64, returnSequences: true)),
            new Layers.Bidirectional(new Layers.LSTM(32)), new Layers.Dense(10));
        Assert.Equal(new long[] { 38400, 41216, 650 }, Params(bidirectional));

        // The encoder-decoder: the encoder's states start the decoder.
        var encoderInput = Layers.Input([null]);
        var encoder = new Layers.LSTM(64, returnState: true);
        var encoded = encoder.CallWithStates(new Layers.Embedding(1000, 64).Call(encoderInput));
        var decoderInput = Layers.Input([null]);
        var decoder = new Layers.LSTM(64);
        var decoded = decoder.Call(new Layers.Embedding(2000, 64).Call(decoderInput), [encoded[1], encoded[2]]);
        var model = new Model([encoderInput, decoderInput], new Layers.Dense(10).Call(decoded));
        Assert.Equal(64000 + 128000 + 33024 + 33024 + 650, model.CountParams());
        Assert.Equal(new int?[] { null, 64 }, encoded[1].Shape);
    }

    [SkippableFact]
    public void A_stateful_lstm_over_sub_sequences_is_the_whole_sequence_and_hands_its_states_on()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var paragraph = NF.Random.Uniform([2, 6, 3]);
        var whole = new Layers.LSTM(4, returnSequences: true, returnState: true);
        var all = whole.CallWithStates(paragraph);
        var stateful = new Layers.LSTM(4, stateful: true);
        stateful.EnsureBuilt(paragraph.Shape);
        stateful.SetWeights(whole.GetWeights());
        Tensor last = null!;
        for (int start = 0; start < 6; start += 2)
            last = stateful.Call(NF.Slice(paragraph, [0, start, 0], [2, 2, 3]));
        AssertClose(NF.Slice(all[0], [0, 5, 0], [2, 1, 4]).ToArray<float>(), last.ToArray<float>());
        AssertClose(all[1].ToArray<float>(), stateful.States![0].ToArray<float>());

        // The guide's cross-batch hand-over: new_lstm_layer(paragraph3, initial_state=existing_state).
        var next = NF.Random.Uniform([2, 2, 3]);
        var fresh = new Layers.LSTM(4);
        fresh.EnsureBuilt(next.Shape);
        fresh.SetWeights(whole.GetWeights());
        var handed = fresh.Call(next, stateful.States!);
        var continued = stateful.Call(next);
        AssertClose(continued.ToArray<float>(), handed.ToArray<float>());

        stateful.ResetStates();
        Assert.All(stateful.States![0].ToArray<float>(), v => Assert.Equal(0f, v));
        AssertClose(NF.Slice(all[0], [0, 1, 0], [2, 1, 4]).ToArray<float>(), stateful.Call(NF.Slice(paragraph, [0, 0, 0], [2, 2, 3])).ToArray<float>());
    }

    [SkippableFact]
    public void Bidirectional_merge_modes_combine_the_same_two_directions()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var x = NF.Random.Normal([2, 5, 3]);
        var concat = new Layers.Bidirectional(new Layers.LSTM(4, returnSequences: true));
        var both = concat.Call(x);
        Assert.Equal(new[] { 2, 5, 8 }, both.Shape.ToArray());
        var forward = NF.Slice(both, [0, 0, 0], [2, 5, 4]).ToArray<float>();
        var backward = NF.Slice(both, [0, 0, 4], [2, 5, 4]).ToArray<float>();
        foreach (var (mode, merge) in new (string, Func<float, float, float>)[] { ("sum", (a, b) => a + b), ("mul", (a, b) => a * b), ("ave", (a, b) => (a + b) / 2) })
        {
            var layer = new Layers.Bidirectional(new Layers.LSTM(4, returnSequences: true), mode);
            layer.EnsureBuilt(x.Shape);
            layer.SetWeights(concat.GetWeights());
            AssertClose(forward.Zip(backward, merge).ToArray(), layer.Call(x).ToArray<float>());
        }
    }

    // The guide's MinimalRNNCell; its weights take add_weight's default initializer (glorot_uniform).
    private sealed class MinimalCell(int units) : Layers.RNNCell
    {
        private Variable? _kernel, _recurrent;
        public override IReadOnlyList<int> StateSize => [units];
        protected override void Build(Shape inputShape)
        {
            _kernel = AddWeight("kernel", [inputShape[-1], units]);
            _recurrent = AddWeight("recurrent_kernel", [units, units]);
        }
        protected override (Tensor Output, Tensor[] States) Forward(Tensor input, IReadOnlyList<Tensor> states)
        {
            var h = NF.MatMul(input, _kernel!) + NF.MatMul(states[0], _recurrent!);
            return (h, [h]);
        }
    }

    [SkippableFact]
    public void An_rnn_of_a_users_cell_runs_with_default_initialized_weights()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var rnn = new Layers.RNN(new MinimalCell(3), returnSequences: true);
        var x = NF.Random.Normal([2, 4, 5]);
        var y = rnn.Call(x);
        Assert.Equal(new[] { 2, 4, 3 }, y.Shape.ToArray());
        Assert.Equal(5 * 3 + 3 * 3, rnn.CountParams());
        // glorot_uniform: every value within sqrt(6 / (fan_in + fan_out)), and not all zero.
        var kernel = rnn.Variables[0].ToArray<float>();
        Assert.All(kernel, v => Assert.InRange(Math.Abs(v), 0, Math.Sqrt(6.0 / 8)));
        Assert.Contains(kernel, v => v != 0);
        // The first step from zero states is x0 @ kernel.
        AssertClose(NF.MatMul(NF.Reshape(NF.Slice(x, [0, 0, 0], [2, 1, 5]), [2, 5]), rnn.Variables[0]).ToArray<float>(),
            NF.Reshape(NF.Slice(y, [0, 0, 0], [2, 1, 3]), [2, 3]).ToArray<float>());
    }

    private static void AssertClose(float[] want, float[] got)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 4);
    }
}

/// <summary>The RNN guide on the managed backend.</summary>
public sealed class ManagedRnnGuideTests() : RnnGuideTests("managed");

/// <summary>The RNN guide on the native CPU backend.</summary>
public sealed class NativeCpuRnnGuideTests() : RnnGuideTests("cpu");

/// <summary>The RNN guide on CUDA.</summary>
public sealed class CudaRnnGuideTests() : RnnGuideTests("cuda");
