using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// SimpleRNN, LSTM and GRU as a Keras user meets them, on every backend: Keras 3's weight shapes,
/// defaults and config keys (from its lstm.py / gru.py / simple_rnn.py and rnn.py get_config),
/// the orthogonal initializer, initial states, the dropout masks' Keras semantics (one mask per
/// sequence, scaled by 1 / (1 - rate)), argument errors, a Fit that learns, save / load round
/// trips, the functional API and Summary (ONNX export: OnnxExportTests). The numbers against PyTorch are RecurrentReferenceTests';
/// Bidirectional and TimeDistributed are RecurrentWrapperTests'.
/// </summary>
public abstract class RecurrentLayerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Layers_have_keras_shapes_defaults_and_configs()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        using var x = NF.Random.Uniform([2, 5, 3]);
        var lstm = new Layers.LSTM(4);
        Assert.StartsWith("lstm", lstm.Name);
        Assert.Equal(new Shape(2, 4), lstm.Call(x).Shape);
        Assert.Equal(new Shape(3, 16), lstm.Kernel!.Shape);
        Assert.Equal(new Shape(4, 16), lstm.RecurrentKernel!.Shape);
        // unit_forget_bias: zeros, with ones in the forget block (the second of i, f, c, o).
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i is >= 4 and < 8 ? 1f : 0f).ToArray(), lstm.Bias!.ToArray<float>());
        Assert.Equal(new Variable[] { lstm.Kernel, lstm.RecurrentKernel, lstm.Bias }, lstm.Variables);
        Assert.Equal(new Shape(2, 5, 4), new Layers.LSTM(4, returnSequences: true).Call(x).Shape);

        var gru = new Layers.GRU(4);
        Assert.StartsWith("gru", gru.Name);
        gru.Call(x);
        Assert.Equal(new Shape(3, 12), gru.Kernel!.Shape);
        Assert.Equal(new Shape(2, 12), gru.Bias!.Shape); // reset_after: an input row and a recurrent row
        var before = new Layers.GRU(4, resetAfter: false, useBias: true);
        before.Call(x);
        Assert.Equal(new Shape(12), before.Bias!.Shape);
        var rnn = new Layers.SimpleRNN(4, useBias: false);
        Assert.StartsWith("simple_rnn", rnn.Name);
        rnn.Call(x);
        Assert.Null(rnn.Bias);
        Assert.Equal(new Shape(4, 4), rnn.RecurrentKernel!.Shape);
        Assert.Equal(2, rnn.Variables.Count);

        var c = new Layers.LSTM(8, returnSequences: true, goBackwards: true, name: "enc").GetConfig();
        Assert.Equal("enc", c["name"]!.GetValue<string>());
        Assert.Equal(8, c["units"]!.GetValue<int>());
        Assert.Equal("tanh", c["activation"]!.GetValue<string>());
        Assert.Equal("sigmoid", c["recurrent_activation"]!.GetValue<string>());
        Assert.Equal("glorot_uniform", c["kernel_initializer"]!.GetValue<string>());
        Assert.Equal("orthogonal", c["recurrent_initializer"]!.GetValue<string>());
        Assert.Equal("zeros", c["bias_initializer"]!.GetValue<string>());
        Assert.True(c["unit_forget_bias"]!.GetValue<bool>());
        Assert.True(c["use_bias"]!.GetValue<bool>());
        Assert.True(c["return_sequences"]!.GetValue<bool>());
        Assert.False(c["return_state"]!.GetValue<bool>());
        Assert.True(c["go_backwards"]!.GetValue<bool>());
        Assert.False(c["stateful"]!.GetValue<bool>());
        Assert.Equal(0.0, c["dropout"]!.GetValue<double>());
        Assert.Equal(0.0, c["recurrent_dropout"]!.GetValue<double>());
        Assert.True(new Layers.GRU(2).GetConfig()["reset_after"]!.GetValue<bool>());
        Assert.Equal("sigmoid", new Layers.GRU(2).GetConfig()["recurrent_activation"]!.GetValue<string>());
        Assert.Equal("relu", new Layers.SimpleRNN(2, activation: "relu").GetConfig()["activation"]!.GetValue<string>());
        Assert.Null(new Layers.SimpleRNN(2).GetConfig()["recurrent_activation"]);
    }

    [SkippableFact]
    public void The_orthogonal_initializer_gives_orthonormal_rows_or_columns()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        // A recurrent kernel [units, 4 * units] is wide: orthonormal rows, R R^T = I. A tall one: R^T R = I.
        foreach (var (shape, wide) in new[] { (new Shape(5, 20), true), (new Shape(12, 3), false), (new Shape(6, 6), true) })
        {
            using var r = Initializer.Get("orthogonal").Create(shape, shape[0], shape[1]);
            using var gram = wide ? NF.MatMul(r, r, transposeB: true) : NF.MatMul(r, r, transposeA: true);
            int n = gram.Shape[0];
            var g = gram.ToArray<float>();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    Assert.True(Math.Abs(g[i * n + j] - (i == j ? 1f : 0f)) < 1e-5, $"{shape}: gram[{i},{j}] = {g[i * n + j]}");
        }
        var e = Assert.Throws<ArgumentException>(() => Initializer.Orthogonal.Create(new Shape(4), 4, 4));
        Assert.Contains("rank 2", e.Message);
    }

    [SkippableFact]
    public void An_initial_state_continues_a_sequence()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        using var x = NF.Random.Uniform([3, 7, 2], -1, 1);
        using var head = x[.., ..4, ..].Contiguous();
        using var tail = x[.., 4.., ..].Contiguous();
        foreach (var layer in new Layers.Recurrent[] { new Layers.LSTM(3, returnState: true), new Layers.GRU(3, returnState: true), new Layers.SimpleRNN(3, returnState: true) })
        {
            var whole = layer.CallWithStates(x);
            var first = layer.CallWithStates(head);
            var second = layer.CallWithStates(tail, first.Skip(1).ToArray());
            for (int i = 0; i < whole.Count; i++)
            {
                var a = whole[i].ToArray<float>();
                var b = second[i].ToArray<float>();
                for (int k = 0; k < a.Length; k++) Assert.True(Math.Abs(a[k] - b[k]) < 1e-6, $"{layer.Name} tensor {i}[{k}]: {a[k]} vs {b[k]}");
            }
            Assert.Equal(whole[0].ToArray<float>(), whole[1].ToArray<float>()); // the output of the last step is h
        }
    }

    // A SimpleRNN whose kernels are identities and activation linear: h_t = x_t * m + (h_{t-1} * m_r) @ I,
    // so the masks can be read off the outputs.
    private static Layers.SimpleRNN Identity(int units, double dropout, double recurrentDropout, Tensor x)
    {
        var layer = new Layers.SimpleRNN(units, activation: "linear", useBias: false, dropout: dropout, recurrentDropout: recurrentDropout, returnSequences: true);
        layer.EnsureBuilt(x.Shape);
        using var eye = NF.Constant(Enumerable.Range(0, units * units).Select(i => i / units == i % units ? 1f : 0f).ToArray(), [units, units]);
        layer.SetWeights([eye, eye]);
        return layer;
    }

    [SkippableFact]
    public void Dropout_draws_one_mask_per_sequence_and_only_while_training()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        const int batch = 8, steps = 4, units = 16;
        using var ones = NF.Ones([batch, steps, units]);
        // Input dropout: every step sees the same mask, kept features scaled by 1 / (1 - 0.5) = 2.
        var input = Identity(units, 0.5, 0, ones);
        var y = input.Call(ones, training: true).ToArray<float>(); // h_t = x_t * m + h_{t-1}: step t holds (t + 1) * m
        int kept = 0;
        for (int b = 0; b < batch; b++)
            for (int u = 0; u < units; u++)
            {
                float m = y[(b * steps) * units + u];
                Assert.True(m is 0f or 2f, $"mask value {m}");
                kept += m == 2f ? 1 : 0;
                for (int t = 1; t < steps; t++) Assert.Equal((t + 1) * m, y[(b * steps + t) * units + u]);
            }
        Assert.InRange(kept, 32, 96); // about half of 128
        Assert.Equal(Enumerable.Range(0, batch * steps * units).Select(i => (float)(i / units % steps + 1)).ToArray(), input.Call(ones).ToArray<float>());

        // Recurrent dropout: h_t = 1 + m_r * h_{t-1}, the same m_r at every step: 1, 1 + s, 1 + s + s^2... with s = m_r in {0, 2}.
        var recurrent = Identity(units, 0, 0.5, ones);
        var r = recurrent.Call(ones, training: true).ToArray<float>();
        for (int b = 0; b < batch; b++)
            for (int u = 0; u < units; u++)
            {
                float s = r[(b * steps + 1) * units + u] - 1;
                Assert.True(s is 0f or 2f, $"recurrent mask value {s}");
                float h = 1;
                for (int t = 1; t < steps; t++)
                {
                    h = 1 + s * h;
                    Assert.Equal(h, r[(b * steps + t) * units + u]);
                }
            }
    }

    [SkippableFact]
    public void Bad_inputs_and_arguments_are_refused_naming_them()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Layers.LSTM(4, name: "enc").Call(NF.Zeros([2, 5])));
        Assert.Contains("enc: LSTM needs inputs [batch, timesteps, features]", e.Message);
        Assert.Contains("(2, 5)", e.Message);
        var built = new Layers.GRU(3, name: "built");
        built.Call(NF.Zeros([2, 5, 4]));
        e = Assert.Throws<ArgumentException>(() => built.Call(NF.Zeros([2, 5, 6])));
        Assert.Contains("built: was built for 4 features per step", e.Message);
        Assert.Contains("(2, 5, 6)", e.Message);
        Assert.Contains("needs inputs [batch, timesteps, features]", Assert.Throws<ArgumentException>(() => built.Call(NF.Zeros([2, 5, 4, 1]))).Message);
        Assert.Contains("at least one timestep", Assert.Throws<ArgumentException>(() => new Layers.SimpleRNN(2).Call(NF.Zeros([2, 0, 3]))).Message);

        var withState = new Layers.LSTM(2, returnState: true, name: "st");
        var ie = Assert.Throws<InvalidOperationException>(() => withState.Call(NF.Zeros([1, 3, 2])));
        Assert.Contains("st:", ie.Message);
        Assert.Contains("CallWithStates", ie.Message);
        e = Assert.Throws<ArgumentException>(() => withState.CallWithStates(NF.Zeros([1, 3, 2]), [NF.Zeros([1, 2])]));
        Assert.Contains("2 state(s)", e.Message);
        e = Assert.Throws<ArgumentException>(() => withState.CallWithStates(NF.Zeros([1, 3, 2]), [NF.Zeros([1, 3]), NF.Zeros([1, 2])]));
        Assert.Contains("initial state 0 must be [batch, units] = (1, 2)", e.Message);
        Assert.Throws<InvalidOperationException>(() => withState.Call(Layers.Input([3, 2]))); // the functional API too

        Assert.Equal("units", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GRU(0)).ParamName);
        Assert.Equal("dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LSTM(2, dropout: 1)).ParamName);
        Assert.Equal("recurrentDropout", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.SimpleRNN(2, recurrentDropout: -0.1)).ParamName);

        // A model file of a stateful layer (Keras' stateful=True) loads stateful (RecurrentCells/StatefulTests has the semantics).
        var model = new Sequential(new Layers.SimpleRNN(2, name: "keeps"));
        model.Build([3, 2]);
        var path = Temp.File("stateful.nfmodel");
        model.Save(path);
        ModelFileEdit.Config(path, json =>
        {
            Assert.Contains("\"stateful\": false", json);
            return json.Replace("\"stateful\": false", "\"stateful\": true");
        });
        Assert.True(((Layers.SimpleRNN)((Sequential)Model.Load(path)).Layers[0]).Stateful);
    }

    [SkippableFact]
    public void Recurrent_models_learn_the_sign_of_a_sum()
    {
        RequireBackend();
        NF.Random.SetSeed(17);
        // Class 1 when the sequence adds up to more than 0: the state has to carry a running sum.
        const int n = 96, steps = 8;
        var rng = new Random(17);
        var xs = new float[n * steps];
        var ys = new int[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int t = 0; t < steps; t++) sum += xs[i * steps + t] = (float)(rng.NextDouble() * 2 - 1);
            ys[i] = sum > 0 ? 1 : 0;
        }
        using var x = NF.Constant(xs, [n, steps, 1]);
        using var y = NF.Constant(ys, [n]);
        foreach (var layer in new Layer[] { new Layers.SimpleRNN(8), new Layers.LSTM(8), new Layers.GRU(8, resetAfter: false), new Layers.Bidirectional(new Layers.GRU(4)) })
        {
            var model = new Sequential(layer, new Layers.Dense(2, activation: "softmax"));
            model.Compile(new Optimizers.Adam(0.02), "sparse_categorical_crossentropy", ["accuracy"]);
            var losses = model.Fit(x, y, batchSize: 16, epochs: 25, verbose: 0)["loss"];
            Assert.True(losses[^1] < 0.5 * losses[0], $"{layer.GetType().Name}: loss {losses[0]:G3} -> {losses[^1]:G3}");
            var (_, accuracy) = model.Evaluate(x, y, verbose: 0);
            Assert.True(accuracy >= 0.85, $"{layer.GetType().Name}: accuracy {accuracy:G3}");
            Assert.Equal(new Shape(n, 2), model.Predict(x).Shape);
        }
    }

    [SkippableFact]
    public void Recurrent_models_save_load_and_summarize_as_keras()
    {
        RequireBackend();
        NF.Random.SetSeed(19);
        using var x = NF.Random.Uniform([6, 5, 3]);
        using var y = NF.Random.Uniform([6], 0, 3, DType.Int32);
        var models = new[]
        {
            new Sequential(
                new Layers.LSTM(4, returnSequences: true, recurrentDropout: 0.1, name: "enc"),
                new Layers.GRU(3, returnSequences: true, goBackwards: true, resetAfter: false, activation: "relu"),
                new Layers.SimpleRNN(2, dropout: 0.2, kernelInitializer: "he_normal"),
                new Layers.Dense(3, activation: "softmax")),
            new Sequential(
                new Layers.GRU(4, returnSequences: true, recurrentInitializer: "glorot_uniform"),
                new Layers.LSTM(2, unitForgetBias: false, useBias: false),
                new Layers.Dense(3, activation: "softmax")),
        };
        for (int i = 0; i < models.Length; i++) TrainSaveLoad.Check(models[i], x, y, Temp.File($"recurrent{i}.nfmodel"));
        var text = models[0].SummaryText();
        Assert.Matches(@"(?m)^│ enc \(LSTM\)\s+│ \(None, 5, 4\)\s+│\s+128 │$", text); // 4 * 4 * (3 + 4 + 1)
        Assert.Matches(@"(?m)^│ gru\S* \(GRU\)\s+│ \(None, 5, 3\)\s+│\s+72 │$", text);     // 3 * 3 * (4 + 3 + 1), one bias row
        Assert.Matches(@"(?m)^│ simple_rnn\S*( \(SimpleRNN\))?\s+│ \(None, 2\)\s+│\s+12 │$", text); // 2 * (3 + 2 + 1)

        // The weights move between layers in Keras' order: kernel, recurrent_kernel, bias.
        var copy = new Layers.LSTM(4, returnSequences: true);
        copy.EnsureBuilt(x.Shape);
        copy.SetWeights(models[0].Layers[0].GetWeights());
        using var expected = models[0].Layers[0].Call(x);
        Assert.Equal(expected.ToArray<float>(), copy.Call(x).ToArray<float>());
    }

    [SkippableFact]
    public void The_functional_api_infers_recurrent_shapes_and_round_trips()
    {
        RequireBackend();
        var input = Layers.Input([7, 3], name: "series");
        var seq = new Layers.LSTM(5, returnSequences: true, name: "lstm_seq").Call(input);
        var both = new Layers.Bidirectional(new Layers.GRU(4), name: "bi").Call(seq);
        Assert.Equal([null, 7, 5], seq.Shape);
        Assert.Equal([null, 8], both.Shape);
        var model = new Model(input, new Layers.Dense(1, name: "out").Call(both));
        var text = model.SummaryText();
        Assert.Equal(["lstm_seq (LSTM)", "(None, 7, 5)", "180"], SummaryCells.Row(text, "lstm_seq (LSTM)")); // 4 * 5 * (3 + 5 + 1)
        Assert.Equal(["bi (Bidirectional)", "(None, 8)", "264"], SummaryCells.Row(text, "bi (Bidirectional)")); // 2 * (3 * 4 * (5 + 4) + 2 * 12)
        NF.Random.SetSeed(2);
        using var x = NF.Random.Uniform([4, 7, 3]);
        var path = Temp.File("functional.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.Equal(["series", "lstm_seq", "bi", "out"], loaded.SubLayers.Select(l => l.Name));
    }

    [SkippableFact]
    public void Onnx_export_of_a_wrapper_refuses_what_its_layer_cannot_export_by_name()
    {
        RequireBackend();
        // Bidirectional and TimeDistributed export (OnnxWrapperExportTests); a wrapped layer with no ONNX form is still named.
        var model = new Sequential(new Layers.Bidirectional(new Layers.SimpleRNN(3, activation: "gelu", name: "odd_cell")), new Layers.Dense(2));
        model.Build([4, 2]);
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("bidirectional.onnx")));
        Assert.Contains("odd_cell", e.Message);
        Assert.Contains("gelu", e.Message);
    }
}

public sealed class ManagedRecurrentLayerTests() : RecurrentLayerTests("managed");

public sealed class NativeCpuRecurrentLayerTests() : RecurrentLayerTests("cpu");

public sealed class CudaRecurrentLayerTests() : RecurrentLayerTests("cuda");
