using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras masking: Embedding(maskZero) and Masking make a mask that rides with the output, layers
/// that support masking pass it on, recurrent layers skip the masked steps (post-padding leaves the
/// final state as it was at the last real step), GlobalAveragePooling1D averages the real steps, and
/// the loss and mean metrics of Compile/Fit count only real positions. References: PyTorch 1.13's
/// pack_padded_sequence for an LSTM's final states, and values derived by hand from Keras' formulas.
/// </summary>
public abstract class MaskingTests(string backend) : BackendFileTest(backend)
{
    // Deterministic numbers a * sin(b * (i + 1)), as the PyTorch script made its weights and inputs.
    private static float[] Wave(int n, double a, double b) => Enumerable.Range(0, n).Select(i => (float)(a * Math.Sin(b * (i + 1)))).ToArray();

    private static Tensor Padded(float[] values, int batch, int steps, int features, int[] lengths, float pad)
    {
        var v = (float[])values.Clone();
        for (int b = 0; b < batch; b++)
            for (int t = lengths[b]; t < steps; t++)
                for (int f = 0; f < features; f++) v[(b * steps + t) * features + f] = pad;
        return NF.Constant(v, new Shape(batch, steps, features));
    }

    private static Tensor LengthMask(int[] lengths, int steps) =>
        NF.Constant(lengths.SelectMany(l => Enumerable.Range(0, steps).Select(t => t < l)).ToArray(), new Shape(lengths.Length, steps));

    // Row b's first `length` steps as a batch of one.
    private static Tensor Row(float[] values, int b, int steps, int features, int length) =>
        NF.Constant(values.Skip(b * steps * features).Take(length * features).ToArray(), new Shape(1, length, features));

    private static void Near(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    private static Layers.Recurrent Make(string kind, bool returnSequences = false, bool goBackwards = false) => kind switch
    {
        "simple_rnn" => new Layers.SimpleRNN(3, returnSequences: returnSequences, goBackwards: goBackwards),
        "lstm" => new Layers.LSTM(3, returnSequences: returnSequences, goBackwards: goBackwards),
        _ => new Layers.GRU(3, returnSequences: returnSequences, goBackwards: goBackwards),
    };

    [SkippableFact]
    public void Lstm_final_states_of_a_post_padded_batch_match_pytorch_packed_sequences()
    {
        RequireBackend();
        // Made by /usr/bin/python3 (PyTorch 1.13, float64): the same waves as Keras' kernel
        // [2, 12], recurrent kernel [3, 12] and bias [12] (gates i, f, c, o; PyTorch's weight_ih =
        // kernel.T, bias_hh = 0), inputs [3, 5, 2] of lengths 5, 3, 1 through
        // pack_padded_sequence(enforce_sorted=False); h_n and c_n.
        float[] h = [0.031776664f, 0.026972767f, 0.081832960f, 0.088766964f, -0.051508591f, -0.032526906f, 0.050110397f, -0.085921943f, -0.043027243f];
        float[] c = [0.064104210f, 0.068283720f, 0.172548882f, 0.175113409f, -0.108682158f, -0.065339518f, 0.090862599f, -0.159280124f, -0.085417427f];
        int[] lengths = [5, 3, 1];
        using var x = Padded(Wave(30, 1.0, 0.7), 3, 5, 2, lengths, 0f);
        var lstm = new Layers.LSTM(3);
        lstm.EnsureBuilt(x.Shape);
        lstm.SetWeights([NF.Constant(Wave(24, 0.5, 1.3), new Shape(2, 12)), NF.Constant(Wave(36, 0.4, 0.9), new Shape(3, 12)), NF.Constant(Wave(12, 0.1, 2.1), new Shape(12))]);
        // The Masking layer's mask (every feature 0 = padding) rides with its output into the LSTM.
        var masked = new Layers.Masking().Call(x);
        Assert.Equal(lengths.SelectMany(l => Enumerable.Range(0, 5).Select(t => t < l)), Layer.MaskOf(masked)!.ToArray<bool>());
        var result = lstm.CallWithStates(masked);
        Near(h, result[1].ToArray<float>(), "h");
        Near(c, result[2].ToArray<float>(), "c");
        Near(h, result[0].ToArray<float>(), "output");
        // Without the mask the padded steps change the state (what happened before masking existed).
        Assert.NotEqual(result[1].ToArray<float>(), lstm.CallWithStates(x)[1].ToArray<float>());
    }

    [SkippableTheory]
    [InlineData("simple_rnn", false)]
    [InlineData("lstm", false)]
    [InlineData("gru", false)]
    [InlineData("simple_rnn", true)]
    [InlineData("lstm", true)]
    [InlineData("gru", true)]
    public void Post_padded_and_unpadded_sequences_give_the_same_final_state(string kind, bool goBackwards)
    {
        RequireBackend();
        int[] lengths = [5, 2];
        var values = Wave(2 * 5 * 4, 0.8, 1.7);
        // The padding is garbage (9), not zeros: the mask alone must keep it out.
        using var x = Padded(values, 2, 5, 4, lengths, 9f);
        using var mask = LengthMask(lengths, 5);
        var layer = Make(kind, goBackwards: goBackwards);
        var padded = layer.CallWithStates(x, mask: mask);
        for (int b = 0; b < 2; b++)
        {
            var alone = layer.CallWithStates(Row(values, b, 5, 4, lengths[b]));
            for (int s = 0; s < alone.Count; s++)
                Near(alone[s].ToArray<float>(), padded[s].ToArray<float>().Skip(b * 3).Take(3).ToArray(), $"{kind} row {b} tensor {s}");
        }
        // Layer.Call with the mask as an argument (Keras' layer(x, mask=m)) gives the same output.
        Assert.Equal(padded[0].ToArray<float>(), layer.Call(x, mask).ToArray<float>());
    }

    [SkippableFact]
    public void A_masked_step_carries_the_previous_output_and_returned_sequences_keep_the_mask()
    {
        RequireBackend();
        int[] lengths = [3];
        var values = Wave(5 * 2, 1.0, 0.4);
        using var x = Padded(values, 1, 5, 2, lengths, 0f);
        var layer = new Layers.GRU(3, returnSequences: true);
        var masked = new Layers.Masking().Call(x);
        var y = layer.Call(masked);
        var seq = y.ToArray<float>();
        // Keras' zero_output_for_mask=False (the default): steps 3 and 4 repeat step 2's output.
        for (int t = 3; t < 5; t++) Assert.Equal(seq[6..9], seq[(t * 3)..(t * 3 + 3)]);
        Assert.Equal([true, true, true, false, false], Layer.MaskOf(y)!.ToArray<bool>());
        layer.ZeroOutputForMask = true;
        var zeroed = layer.Call(masked).ToArray<float>();
        Assert.Equal(seq[..9], zeroed[..9]);
        Assert.All(zeroed[9..], v => Assert.Equal(0f, v));
        // Without returnSequences the mask ends at the layer (Keras' RNN.compute_mask).
        Assert.Null(Layer.MaskOf(new Layers.GRU(3).Call(masked)));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bidirectional_ignores_the_padding_both_ways(bool returnSequences)
    {
        RequireBackend();
        int[] lengths = [4, 2];
        var values = Wave(2 * 4 * 3, 0.9, 1.1);
        using var x = Padded(values, 2, 4, 3, lengths, -5f);
        using var mask = LengthMask(lengths, 4);
        var bi = new Layers.Bidirectional(new Layers.LSTM(2, returnSequences: returnSequences));
        var y = bi.Call(x, mask).ToArray<float>();
        int width = 4 * (returnSequences ? 4 : 1);
        for (int b = 0; b < 2; b++)
        {
            var alone = bi.Call(Row(values, b, 4, 3, lengths[b])).ToArray<float>();
            var row = y.Skip(b * width).Take(width).ToArray();
            if (!returnSequences) Near(alone, row, $"row {b}");
            else
            {
                Near(alone, row.Take(lengths[b] * 4).ToArray(), $"row {b} real steps");
                // Keras forces zero_output_for_mask on a Bidirectional's returned sequences.
                Assert.All(row.Skip(lengths[b] * 4), v => Assert.Equal(0f, v));
            }
        }
    }

    [SkippableFact]
    public void GlobalAveragePooling1D_averages_the_real_steps_only()
    {
        RequireBackend();
        // Keras' formula: sum(where(mask, x, 0), steps) / sum(mask, steps), by hand:
        // row 0 real steps (1, 2), (3, 4) -> (2, 3); row 1 real step (5, 6) -> (5, 6).
        using var x = NF.Constant(new float[] { 1, 2, 3, 4, 100, 100, 5, 6, 100, 100, 100, 100 }, new Shape(2, 3, 2));
        using var mask = LengthMask([2, 1], 3);
        var pool = new Layers.GlobalAveragePooling1D();
        var y = pool.Call(x, mask);
        Assert.Equal([2f, 3f, 5f, 6f], y.ToArray<float>());
        Assert.Null(Layer.MaskOf(y));
        // channels_first reads the mask along its last axis.
        var first = new Layers.GlobalAveragePooling1D(dataFormat: "channels_first").Call(NF.Transpose(x, [0, 2, 1]), mask);
        Assert.Equal([2f, 3f, 5f, 6f], first.ToArray<float>());
    }

    [SkippableFact]
    public void The_loss_and_mean_metrics_count_only_the_real_positions()
    {
        RequireBackend();
        // Predictions [2, 3, 1] whose padded steps the Masking layer marks; targets 0. Keras'
        // Loss.__call__ weighs the per-step losses x^2 by mask * total / valid and takes the mean:
        // sum over real steps / real steps = (1 + 4 + 9) / 3 (by hand; unmasked it would be 14 / 6).
        using var x = NF.Constant(new float[] { 1, 2, 0, 3, 0, 0 }, new Shape(2, 3, 1));
        using var zeros = NF.Zeros([2, 3, 1]);
        var yPred = new Layers.Masking().Call(x);
        var mse = new Losses.MeanSquaredError();
        Assert.Equal(14f / 3, mse.Call(zeros, yPred).ToArray<float>()[0], 5);
        // Sample weights (1, 2): Keras' sum(loss * w * mask) / valid = (1 + 4 + 2 * 9) / 3.
        using var weights = NF.Constant(new float[] { 1, 2 });
        Assert.Equal(23f / 3, mse.Call(zeros, yPred, weights).ToArray<float>()[0], 5);
        // "sum" adds the real steps only; "none" zeroes the padded ones.
        Assert.Equal(14f, new Losses.MeanSquaredError(reduction: "sum").Call(zeros, yPred).ToArray<float>()[0], 5);
        Assert.Equal([1f, 4f, 0f, 9f, 0f, 0f], new Losses.MeanSquaredError(reduction: "none").Call(zeros, yPred).ToArray<float>());

        // Through Compile/Evaluate: the output's mask reaches the loss and the "mae" metric
        // (mean |x| over real steps = (1 + 2 + 3) / 3 = 2; unmasked it would be 1).
        var model = new Sequential(new Layers.Masking(), new Layers.Rescaling(1.0));
        model.Compile(optimizer: "sgd", loss: "mse", metrics: ["mae"]);
        var result = model.Evaluate(x, zeros, batchSize: 2);
        Assert.Equal(14f / 3, result.Loss, 5);
        Assert.Equal(2f, result["mae"], 5);
    }

    [SkippableFact]
    public void A_mask_that_does_not_fit_is_a_clear_error()
    {
        RequireBackend();
        using var x = NF.Random.Normal([2, 4, 3]);
        var lstm = new Layers.LSTM(2);
        var e = Assert.Throws<ArgumentException>(() => lstm.Call(x, NF.Ones([2, 5], DType.Bool)));
        Assert.Contains("mask", e.Message);
        Assert.Contains("(2, 5)", e.Message);
        Assert.Throws<ArgumentException>(() => lstm.CallWithStates(x, mask: NF.Ones([2, 4, 3], DType.Bool)));
        Assert.Throws<ArgumentException>(() => new Layers.GlobalAveragePooling1D().Call(x, NF.Ones([3, 4], DType.Bool)));
        // A prediction whose mask covers more positions than the loss has values.
        var yPred = new Layers.Rescaling(1.0).Call(NF.Ones([2, 3]), NF.Ones([2, 3], DType.Bool));
        var le = Assert.Throws<ArgumentException>(() => new Losses.MeanSquaredError().Call(NF.Zeros([2, 3]), yPred));
        Assert.Contains("mask of shape (2, 3)", le.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Masking(double.NaN));
    }

    [SkippableFact]
    public void Propagation_follows_keras_supports_masking()
    {
        RequireBackend();
        using var ids = NF.Constant(new[,] { { 3, 1, 0, 0 }, { 2, 0, 0, 0 } });
        var embedded = new Layers.Embedding(5, 3, maskZero: true).Call(ids);
        bool[] expected = [true, true, false, false, true, false, false, false];
        Assert.Equal(expected, Layer.MaskOf(embedded)!.ToArray<bool>());
        // Dense, Dropout, LayerNormalization, TimeDistributed pass it on; Conv1D (no masking in Keras) drops it.
        var dense = new Layers.Dense(4).Call(embedded);
        Assert.Equal(expected, Layer.MaskOf(new Layers.TimeDistributed(new Layers.Dense(2)).Call(new Layers.LayerNormalization().Call(new Layers.Dropout(0.5).Call(dense))))!.ToArray<bool>());
        using (var log = new WarningLogCapture())
        {
            Assert.Null(Layer.MaskOf(new Layers.Conv1D(2, 1, name: "drops_mask").Call(embedded)));
            Assert.Contains("Layer 'drops_mask' (of type Conv1D) was passed an input with a mask", log.Text);
        }
        // Merges: OR of the inputs' masks; none when an input has none (Keras' Merge.compute_mask).
        var other = new Layers.Dense(3).Call(new Layers.Embedding(5, 3, maskZero: true).Call(NF.Constant(new[,] { { 0, 0, 4, 0 }, { 0, 0, 0, 0 } })));
        Assert.Equal([true, true, true, false, true, false, false, false], Layer.MaskOf(new Layers.Add().Call([embedded, other]))!.ToArray<bool>());
        Assert.Null(Layer.MaskOf(new Layers.Add().Call([embedded, NF.Zeros([2, 4, 3])])));
        Assert.Equal([true, true, true, false, true, false, false, false], Layer.MaskOf(new Layers.Concatenate().Call([embedded, other]))!.ToArray<bool>());
        // A tensor kept out of a TensorScope keeps its mask too.
        Tensor kept;
        using (var scope = TensorScope.Begin()) kept = scope.Keep(new Layers.Masking().Call(NF.Constant(new float[] { 1, 0, 0, 0 }, new Shape(1, 2, 2))));
        Assert.Equal([true, false], Layer.MaskOf(kept)!.ToArray<bool>());
        // ComputeMask for user code: Keras' layer.compute_mask(x, mask).
        Assert.Equal(expected, new Layers.Embedding(5, 3, maskZero: true).ComputeMask(ids, null)!.ToArray<bool>());
        Assert.Null(new Layers.Embedding(5, 3).ComputeMask(ids, null));
    }

    [SkippableFact]
    public void A_functional_model_carries_the_mask_along_its_graph()
    {
        RequireBackend();
        var input = Layers.Input([6], DType.Int32);
        var embedding = new Layers.Embedding(10, 4, maskZero: true);
        var lstm = new Layers.LSTM(3, returnSequences: true);
        var pool = new Layers.GlobalAveragePooling1D();
        var head = new Layers.Dense(2);
        var model = new Model(input, head.Call(pool.Call(lstm.Call(embedding.Call(input)))));
        using var ids = NF.Constant(new[,] { { 4, 7, 1, 0, 0, 0 }, { 9, 0, 0, 0, 0, 0 } });
        var y = model.Predict(ids).ToArray<float>();
        // The same layers on the unpadded rows, where there is nothing to mask.
        int[][] rows = [[4, 7, 1], [9]];
        for (int b = 0; b < 2; b++)
        {
            var alone = head.Call(pool.Call(lstm.Call(embedding.Call(NF.Constant(rows[b], new Shape(1, rows[b].Length)))))).ToArray<float>();
            Near(alone, y[(b * 2)..(b * 2 + 2)], $"row {b}");
        }
    }

    private static Sequential TokenModel() => new(
        new Layers.Embedding(6, 8, maskZero: true), new Layers.LSTM(8), new Layers.Dense(1, activation: "sigmoid"));

    [SkippableFact]
    public void Fit_learns_padded_sequences_and_its_replay_equals_eager_bit_for_bit()
    {
        RequireBackend();
        var (x, y) = MaskedTokens.Data(64, 1);
        NF.Random.SetSeed(5);
        var (traced, history) = MaskedTokens.FitReplayedAndEager(TokenModel, x, y, epochs: 30);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        // The trained model ignores the padding: an example padded further predicts as before.
        using var short1 = NF.Constant(new[,] { { 5, 2, 0, 0, 0, 0 } });
        using var sameStart = NF.Constant(new[,] { { 5, 2 } });
        Assert.Equal(traced.Predict(short1).ToArray<float>()[0], traced.Call(sameStart).ToArray<float>()[0], 5);
    }

    [SkippableFact]
    public void Save_and_load_keep_mask_zero_and_the_mask_value()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([5, 2]), new Layers.Masking(-1.0), new Layers.GRU(3, returnSequences: true), new Layers.GlobalAveragePooling1D(), new Layers.Dense(1));
        var tokens = new Sequential(Layers.Input([4], DType.Int32), new Layers.Embedding(7, 3, maskZero: true), new Layers.Bidirectional(new Layers.SimpleRNN(2)));
        var path = Temp.File("masked.nfmodel");
        var tokenPath = Temp.File("tokens.nfmodel");
        model.Save(path);
        tokens.Save(tokenPath);
        var loaded = (Sequential)Model.Load(path);
        var loadedTokens = (Sequential)Model.Load(tokenPath);
        Assert.Equal(-1.0, Assert.IsType<Layers.Masking>(loaded.Layers[0]).MaskValue);
        Assert.True(Assert.IsType<Layers.Embedding>(loadedTokens.Layers[0]).MaskZero);
        Assert.True(((Layers.Bidirectional)loadedTokens.Layers[1]).BackwardLayer.ZeroOutputForMask == false);
        Assert.True(tokens.Layers[0].GetConfig()["mask_zero"]!.GetValue<bool>());
        using var x = Padded(Wave(20, 1.0, 0.3), 2, 5, 2, [5, 2], -1f);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        using var ids = NF.Constant(new[,] { { 1, 6, 0, 0 }, { 2, 0, 0, 0 } });
        var expected = tokens.Predict(ids).ToArray<float>();
        Assert.Equal(expected, loadedTokens.Predict(ids).ToArray<float>());
        // The loaded model still masks: row 0 equals its unpadded prefix.
        Near(loadedTokens.Layers[1].Call(loadedTokens.Layers[0].Call(NF.Constant(new[,] { { 1, 6 } }))).ToArray<float>(), expected[..4], "loaded row 0");
    }

    [SkippableFact]
    public void Onnx_export_refuses_masks_it_cannot_carry()
    {
        RequireBackend();
        var tokens = new Sequential(Layers.Input([4], DType.Int32), new Layers.Embedding(7, 3, maskZero: true), new Layers.LSTM(2));
        var e = Assert.Throws<NotSupportedException>(() => tokens.ExportOnnx(Temp.File("tokens.onnx")));
        Assert.Contains("maskZero", e.Message);
        var series = new Sequential(Layers.Input([4, 2]), new Layers.Masking(), new Layers.LSTM(2));
        Assert.Contains("is a Masking", Assert.Throws<NotSupportedException>(() => series.ExportOnnx(Temp.File("series.onnx"))).Message);
    }
}

public sealed class ManagedMaskingTests() : MaskingTests("managed");

public sealed class NativeCpuMaskingTests() : MaskingTests("cpu");

public sealed class CudaMaskingTests() : MaskingTests("cuda");
