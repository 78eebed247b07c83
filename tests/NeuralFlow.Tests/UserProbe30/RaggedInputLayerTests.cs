using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Keras layers called on a RaggedTensor, as tf.keras 2 runs them: Embedding / Dense / Activation / Dropout on each value
/// (ragged out), GlobalAveragePooling1D / GlobalMaxPooling1D per row (dense out), LSTM / GRU / SimpleRNN / Bidirectional
/// over each row's own length (the last output at the row's last step; a returned sequence ragged). Each equals the same
/// layer on the padded input with a mask, values and gradients; the LSTM equals torch's on pack_padded_sequence
/// (RaggedInputReference.py). Any other layer is refused by name.
/// </summary>
public abstract class RaggedInputLayerTests(string backend) : BackendTest(backend)
{
    internal static readonly long[][] IdRows = [[1, 2, 3], [4], [2, 5]];

    // The padded form of rt and its [batch, steps] mask: what the same layer is compared with.
    internal static (Tensor Padded, Tensor Mask) PaddedWithMask(RaggedTensor rt)
    {
        var padded = rt.ToTensor();
        int n = padded.Shape[0], steps = padded.Shape[1];
        var splits = rt.RowSplits;
        var real = new bool[n * steps];
        for (int i = 0; i < n; i++)
            for (long j = 0; j < splits[i + 1] - splits[i]; j++) real[i * steps + j] = true;
        return (padded, NF.Constant(real, new Shape(n, steps)));
    }

    // The values of a padded [n, steps, ...] tensor at the real steps, row after row: a ragged result's flat values.
    private static float[] RealSteps(Tensor padded, RaggedTensor rows)
    {
        var all = padded.ToArray<float>();
        int steps = padded.Shape[1], per = (int)(padded.Count / (padded.Shape[0] * steps));
        var splits = rows.RowSplits;
        var kept = new List<float>();
        for (int i = 0; i < rows.NRows; i++)
            for (long j = 0; j < splits[i + 1] - splits[i]; j++)
                kept.AddRange(all.AsSpan((int)((i * steps + j) * per), per).ToArray());
        return [.. kept];
    }

    private static void Close(float[] expected, float[] actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [SkippableFact]
    public void Embedding_and_Dense_keep_the_rows_and_pooling_reduces_each_row()
    {
        RequireBackend();
        var ids = NF.Ragged.Constant(IdRows);
        var embedding = new Layers.Embedding(6, 4);
        var vectors = embedding.CallRagged(ids);
        Assert.Equal("(3, None, 4)", vectors.Shape);
        Assert.Equal(ids.RowSplits, vectors.RowSplits);
        // Each value is its id's row of the table (tf.nn.embedding_lookup on the flat values).
        Close(NF.Gather(embedding.Variables[0], NF.Constant(new long[] { 1, 2, 3, 4, 2, 5 })).ToArray<float>(), vectors.FlatValues.ToArray<float>());
        var dense = new Layers.Dense(2, activation: "tanh");
        var projected = dense.CallRagged(vectors);
        Assert.Equal("(3, None, 2)", projected.Shape);
        Close(dense.Call(vectors.FlatValues).ToArray<float>(), projected.FlatValues.ToArray<float>());
        Close(NF.Relu(projected.FlatValues).ToArray<float>(), new Layers.Activation("relu").CallRagged(projected).FlatValues.ToArray<float>());
        Assert.Equal(projected.FlatValues.ToArray<float>(), new Layers.Dropout(0.5).CallRagged(projected).FlatValues.ToArray<float>());   // inference: identity

        // The mean and max of each row's own values; the same layer on the padded input with the mask gives the same mean.
        var (padded, mask) = PaddedWithMask(vectors);
        var average = new Layers.GlobalAveragePooling1D();
        Close(average.Call(padded, mask).ToArray<float>(), average.Call(vectors).ToArray<float>());
        Close(vectors.ReduceMean(1).ToArray<float>(), average.Call(vectors).ToArray<float>());
        Close(vectors.ReduceMax(1).ToArray<float>(), new Layers.GlobalMaxPooling1D().Call(vectors).ToArray<float>());
        Assert.Equal([3, 1, 4], new Layers.GlobalMaxPooling1D(keepdims: true).Call(vectors).Shape.ToArray());

        // Gradients reach the embedding table only through the real steps, as on the masked padded input.
        using var tape = new GradientTape();
        var loss = NF.ReduceSum(dense.Call(average.Call(embedding.CallRagged(ids))));
        var grad = tape.Gradient(loss, embedding.Variables[0]).ToArray<float>();
        using var tape2 = new GradientTape();
        var (paddedIds, idMask) = PaddedWithMask(ids);
        var loss2 = NF.ReduceSum(dense.Call(average.Call(embedding.Call(paddedIds), idMask)));
        Close(tape2.Gradient(loss2, embedding.Variables[0]).ToArray<float>(), grad);
        Close([loss2.Item<float>()], [loss.Item<float>()]);
        Assert.All(grad.AsSpan(0, 4).ToArray(), g => Assert.Equal(0f, g));   // id 0 (the padding's) is never read
    }

    [SkippableFact]
    public void An_empty_row_pools_as_tf_keras_2_ragged_reductions_do()
    {
        RequireBackend();
        // tf.keras 2 pools a RaggedTensor with tf.reduce_mean / tf.reduce_max: an empty row's mean is 0 / 0 = NaN and its
        // max the dtype's lowest value (unsorted_segment_max's identity), -3.4028235e38 for float32.
        var rows = RaggedTensor.FromRowLengths(NF.Constant(new float[] { 1, 2, 3, 4, 5, 6 }, new Shape(3, 2)), [2, 0, 1]);
        var mean = new Layers.GlobalAveragePooling1D().Call(rows).ToArray<float>();
        Assert.Equal([2f, 3f], mean[0..2]);
        Assert.True(float.IsNaN(mean[2]) && float.IsNaN(mean[3]));
        Assert.Equal([5f, 6f], mean[4..6]);
        var max = new Layers.GlobalMaxPooling1D().Call(rows).ToArray<float>();
        Assert.Equal([3f, 4f, float.MinValue, float.MinValue, 5f, 6f], max);
    }

    private static readonly float[][][] FloatRows = [[[0.5f, -1f], [1.5f, 0.25f], [-0.75f, 2f]], [[1f, 1f]], [[-0.5f, 0.5f], [2f, -1.5f]]];

    private static RaggedTensor Sequences() =>
        RaggedTensor.FromRowLengths(NF.Constant(FloatRows.SelectMany(r => r.SelectMany(v => v)).ToArray(), new Shape(6, 2)), [3, 1, 2]);

    [SkippableFact]
    public void An_LSTM_runs_each_row_over_its_own_length_as_torch_on_packed_sequences()
    {
        RequireBackend();
        const int inp = 2, units = 3;
        var kernel = new float[inp * 4 * units];
        for (int i = 0; i < kernel.Length; i++) kernel[i] = (float)(Math.Sin(0.3 * i + 0.1) * 0.5);
        var recurrent = new float[units * 4 * units];
        for (int i = 0; i < recurrent.Length; i++) recurrent[i] = (float)(Math.Cos(0.2 * i) * 0.4);
        var bias = Enumerable.Range(0, 4 * units).Select(c => (float)(0.05 * c - 0.2)).ToArray();
        var lstm = new Layers.LSTM(units);
        var sequences = new Layers.LSTM(units, returnSequences: true);
        var rows = Sequences();
        lstm.Call(rows);
        sequences.CallRagged(rows);
        foreach (var layer in new[] { lstm, sequences })
            layer.SetWeights([NF.Constant(kernel, new Shape(inp, 4 * units)), NF.Constant(recurrent, new Shape(units, 4 * units)), NF.Constant(bias)]);

        // RaggedInputReference.py: torch.nn.LSTM on pack_padded_sequence, h_n and the unpacked outputs.
        Close([-0.0754329f, -0.0200756f, 0.0572245f, 0.0530668f, 0.0811114f, 0.1072563f, 0.2486892f, 0.2535027f, 0.2097776f], lstm.Call(rows).ToArray<float>());
        var steps = sequences.CallRagged(rows);
        Assert.Equal(rows.RowSplits, steps.RowSplits);
        Close([0.1719152f, 0.1561067f, 0.1243148f, 0.2802315f, 0.2814221f, 0.2554744f, -0.0754329f, -0.0200756f, 0.0572245f,
               0.0530668f, 0.0811114f, 0.1072563f, -0.0681034f, -0.0389790f, 0.0011782f, 0.2486892f, 0.2535027f, 0.2097776f], steps.FlatValues.ToArray<float>());
    }

    [SkippableFact]
    public void Recurrent_layers_on_rows_equal_the_padded_input_with_a_mask_in_values_and_gradients()
    {
        RequireBackend();
        var rows = Sequences();
        var (padded, mask) = PaddedWithMask(rows);
        Layer[] layers =
        [
            new Layers.LSTM(3), new Layers.GRU(3), new Layers.SimpleRNN(3), new Layers.Bidirectional(new Layers.LSTM(2)),
            new Layers.GRU(3, returnSequences: true), new Layers.Bidirectional(new Layers.SimpleRNN(2, returnSequences: true)),
        ];
        foreach (var layer in layers)
        {
            bool sequence = layer is Layers.RNN { ReturnSequences: true } or Layers.Bidirectional { ForwardLayer.ReturnSequences: true };
            using var tape = new GradientTape();
            Tensor ragged = sequence ? layer.CallRagged(rows).FlatValues : layer.Call(rows);
            var loss = NF.ReduceSum(ragged * ragged);
            var grads = tape.Gradient(loss, [.. layer.TrainableVariables]);
            using var tape2 = new GradientTape();
            var dense = layer.Call(padded, mask);
            var real = sequence ? NF.Constant(RealSteps(dense, rows), ragged.Shape) : dense;
            Close(real.ToArray<float>(), ragged.ToArray<float>());
            // The padded loss over the real steps only: the masked steps' outputs are not the rows'.
            var weights = sequence ? NF.Cast(NF.ExpandDims(mask, 2), DType.Float32) : NF.Ones(dense.Shape);
            var loss2 = NF.ReduceSum(dense * dense * weights);
            var grads2 = tape2.Gradient(loss2, [.. layer.TrainableVariables]);
            for (int k = 0; k < grads.Length; k++) Close(grads2[k].ToArray<float>(), grads[k].ToArray<float>(), 1e-4f);
            Assert.Contains(grads, g => g.ToArray<float>().Any(v => v != 0));
        }
    }

    [SkippableFact]
    public void Other_layers_and_wrong_calls_are_refused_by_name()
    {
        RequireBackend();
        var rows = Sequences();
        var conv = Assert.Throws<NotSupportedException>(() => new Layers.Conv1D(2, 2, name: "conv").Call(rows));
        Assert.Contains("conv (Conv1D) does not take ragged input", conv.Message);
        Assert.Contains("ToTensor()", conv.Message);
        Assert.Contains("Flatten", Assert.Throws<NotSupportedException>(() => new Layers.Flatten().Call(rows)).Message);
        // Call gives dense results and CallRagged ragged ones; each names the other.
        Assert.Contains("CallRagged", Assert.Throws<InvalidOperationException>(() => new Layers.Dense(2).Call(rows)).Message);
        Assert.Contains("Call(RaggedTensor)", Assert.Throws<InvalidOperationException>(() => new Layers.LSTM(2).CallRagged(rows)).Message);
        Assert.Contains("goBackwards", Assert.Throws<NotSupportedException>(() => new Layers.LSTM(2, returnSequences: true, goBackwards: true).CallRagged(rows)).Message);
        var nested = NF.Ragged.Constant(new[] { new[] { new[] { 1f }, new[] { 2f, 3f } } });
        Assert.Contains("2 ragged axes", Assert.Throws<NotSupportedException>(() => new Layers.Dense(2).CallRagged(nested)).Message);
    }
}

/// <summary>Layers on ragged input on the managed backend.</summary>
public sealed class ManagedRaggedInputLayerTests() : RaggedInputLayerTests("managed");

/// <summary>Layers on ragged input on the native CPU backend.</summary>
public sealed class NativeCpuRaggedInputLayerTests() : RaggedInputLayerTests("cpu");

/// <summary>Layers on ragged input on CUDA.</summary>
public sealed class CudaRaggedInputLayerTests() : RaggedInputLayerTests("cuda");
