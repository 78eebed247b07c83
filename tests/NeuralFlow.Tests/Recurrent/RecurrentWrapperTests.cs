using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Bidirectional and TimeDistributed on every backend, from Keras 3's definitions: Bidirectional
/// runs a fresh forward copy and a go_backwards copy ("forward_" / "backward_" + the layer's
/// name), reverses the backward sequence back into time order, and merges (concat on the last
/// axis, sum, mul, ave, or none); its weights are the forward layer's, then the backward's.
/// TimeDistributed applies its layer to each step with one set of weights.
/// </summary>
public abstract class RecurrentWrapperTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Bidirectional_merges_a_forward_and_a_reversed_backward_run()
    {
        RequireBackend();
        NF.Random.SetSeed(23);
        using var x = NF.Random.Uniform([2, 6, 3], -1, 1);
        var inner = new Layers.LSTM(4, returnSequences: true, name: "enc");
        var bi = new Layers.Bidirectional(inner, mergeMode: "concat");
        Assert.StartsWith("bidirectional", bi.Name);
        var y = bi.Call(x);
        Assert.Equal("forward_enc", bi.ForwardLayer.Name);
        Assert.Equal("backward_enc", bi.BackwardLayer.Name);
        Assert.False(bi.ForwardLayer.GoBackwards);
        Assert.True(bi.BackwardLayer.GoBackwards);
        Assert.False(inner.Built); // Keras copies the layer's config; the wrapped instance is not used
        Assert.Equal(new Shape(2, 6, 8), y.Shape);
        Assert.Equal(6, bi.Variables.Count);
        Assert.Same(((Layers.Recurrent)bi.ForwardLayer).Kernel, bi.Variables[0]);
        Assert.Same(((Layers.Recurrent)bi.BackwardLayer).Bias, bi.Variables[5]);

        using var forward = bi.ForwardLayer.Call(x);
        using var backward = NF.Reverse(bi.BackwardLayer.Call(x), 1);
        Assert.Equal(NF.Concat([forward, backward], -1).ToArray<float>(), y.ToArray<float>());
        // The backward layer is the forward computation on the reversed steps, its sequence in the order read.
        var twin = new Layers.LSTM(4, returnSequences: true);
        twin.EnsureBuilt(x.Shape);
        twin.SetWeights(bi.BackwardLayer.GetWeights());
        using var reversed = NF.Reverse(x, 1).Contiguous();
        Assert.Equal(twin.Call(reversed).ToArray<float>(), bi.BackwardLayer.Call(x).ToArray<float>());

        foreach (var (mode, merge) in new (string, Func<Tensor, Tensor, Tensor>)[] { ("sum", (a, b) => a + b), ("mul", (a, b) => a * b), ("ave", (a, b) => (a + b) * 0.5f) })
        {
            var m = new Layers.Bidirectional(new Layers.GRU(3), mergeMode: mode);
            var merged = m.Call(x);
            Assert.Equal(new Shape(2, 3), merged.Shape);
            Assert.Equal(merge(m.ForwardLayer.Call(x), m.BackwardLayer.Call(x)).ToArray<float>(), merged.ToArray<float>());
        }

        // mergeMode null and returnState give several tensors: CallWithStates, states forward then backward.
        var both = new Layers.Bidirectional(new Layers.LSTM(2, returnState: true), mergeMode: null, name: "both");
        Assert.Contains("CallWithStates", Assert.Throws<InvalidOperationException>(() => both.Call(x)).Message);
        var all = both.CallWithStates(x);
        Assert.Equal(6, all.Count); // forward output, backward output, forward h and c, backward h and c
        Assert.Equal(all[0].ToArray<float>(), all[2].ToArray<float>());
        Assert.Equal(all[1].ToArray<float>(), all[4].ToArray<float>());
        Assert.Throws<ArgumentException>(() => both.CallWithStates(x, [NF.Zeros([2, 2])]));

        Assert.Equal("mergeMode", Assert.Throws<ArgumentException>(() => new Layers.Bidirectional(new Layers.GRU(2), mergeMode: "max")).ParamName);
        Assert.Equal("backwardLayer", Assert.Throws<ArgumentException>(() => new Layers.Bidirectional(new Layers.GRU(2), backwardLayer: new Layers.GRU(2))).ParamName);
        var custom = new Layers.Bidirectional(new Layers.GRU(2), backwardLayer: new Layers.SimpleRNN(3, goBackwards: true, name: "rev"), mergeMode: "concat");
        Assert.Equal(new Shape(2, 5), custom.Call(x).Shape);
        Assert.Same(custom.BackwardLayer, custom.SubLayers[1]);
        var e = Assert.Throws<ArgumentException>(() => new Layers.Bidirectional(new Layers.GRU(2), backwardLayer: new Layers.SimpleRNN(3, goBackwards: true), mergeMode: "sum"));
        Assert.Contains("2 units", e.Message);
        // A backward layer of another kind carries its own states: LSTM's h and c forward, GRU's h backward.
        var mixed = new Layers.Bidirectional(new Layers.LSTM(2, returnState: true), backwardLayer: new Layers.GRU(2, returnState: true, goBackwards: true));
        var start = new[] { NF.Ones([2, 2]), NF.Zeros([2, 2]), NF.Ones([2, 2]) };
        var withStart = mixed.CallWithStates(x, start);
        Assert.Equal(4, withStart.Count); // the merged output, h and c, h
        Assert.Equal(mixed.BackwardLayer.CallWithStates(x, [start[2]])[1].ToArray<float>(), withStart[3].ToArray<float>());
    }

    [SkippableFact]
    public void TimeDistributed_applies_one_layer_to_every_step()
    {
        RequireBackend();
        NF.Random.SetSeed(29);
        using var x = NF.Random.Uniform([2, 4, 3, 5]);
        var flat = new Layers.TimeDistributed(new Layers.Flatten());
        Assert.StartsWith("time_distributed", flat.Name);
        Assert.Equal(new Shape(2, 4, 15), flat.Call(x).Shape);
        var dense = new Layers.TimeDistributed(new Layers.Dense(2));
        using var seq = x[.., .., 0, ..].Contiguous();
        var y = dense.Call(seq);
        Assert.Equal(new Shape(2, 4, 2), y.Shape);
        Assert.Equal(2, dense.Variables.Count);
        using var expected = NF.MatMul(NF.Reshape(seq, [8, 5]), ((Layers.Dense)dense.Layer).Kernel!);
        var actual = y.ToArray<float>();
        var e = expected.ToArray<float>();
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - actual[i]) < 1e-6, $"[{i}] {actual[i]} vs {e[i]}");
        var err = Assert.Throws<ArgumentException>(() => new Layers.TimeDistributed(new Layers.Dense(2), name: "td").Call(NF.Zeros([3, 4])));
        Assert.Contains("td: TimeDistributed needs inputs [batch, timesteps, ...]", err.Message);
        Assert.Throws<ArgumentNullException>(() => new Layers.TimeDistributed(null!));
    }

    [SkippableFact]
    public void Wrapped_models_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        using var x = NF.Random.Uniform([6, 5, 3]);
        using var y = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var model = new Sequential(
            new Layers.TimeDistributed(new Layers.Dense(4, activation: "tanh")),
            new Layers.Bidirectional(new Layers.LSTM(3, returnSequences: true), mergeMode: "ave"),
            new Layers.Bidirectional(new Layers.SimpleRNN(2), backwardLayer: new Layers.GRU(2, goBackwards: true)),
            new Layers.Dense(3, activation: "softmax"));
        TrainSaveLoad.Check(model, x, y, Temp.File("wrapped.nfmodel"));
        var text = model.SummaryText();
        // A long name wraps its "(class)" onto the next line of the cell, as rich wraps it in Keras.
        Assert.Matches(@"(?m)^│ time_distributed\S*( \(TimeDistributed\))?\s+│ \(None, 5, 4\)\s+│\s+16 │$", text);
        Assert.Matches(@"(?m)^│ bidirectional\S*( \(Bidirectional\))?\s+│ \(None, 5, 3\)\s+│\s+192 │$", text); // 2 * 4 * 3 * (4 + 3 + 1)
    }
}

public sealed class ManagedRecurrentWrapperTests() : RecurrentWrapperTests("managed");

public sealed class NativeCpuRecurrentWrapperTests() : RecurrentWrapperTests("cpu");

public sealed class CudaRecurrentWrapperTests() : RecurrentWrapperTests("cuda");
