using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasLayers.ReferenceValues;
using static NeuralFlow.Tests.Reference;
using R = NeuralFlow.Tests.KerasLayers.LayerReference;

namespace NeuralFlow.Tests.KerasLayers;

/// <summary>
/// Layers.MultiHeadAttention against Keras 3's formula (computed with PyTorch ops in
/// layer_reference.py on fixed weights in Keras' layout; torch.nn.MultiheadAttention lays
/// its weights out otherwise): values, scores, masks, gradients, and its errors, on every engine.
/// </summary>
public abstract class MultiHeadAttentionTests(string backend) : BackendTest(backend)
{
    private static readonly int[] AttentionMask = [1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1];

    // query (2, 3, 5), value (2, 4, 6), key (2, 4, 7): key != value, each of its own width.
    private static (Layers.MultiHeadAttention Layer, Tensor Q, Tensor V, Tensor K) Make()
    {
        var layer = new Layers.MultiHeadAttention(2, 3, valueDim: 4);
        var (q, v, k) = (F32([2, 3, 5], 1), F32([2, 4, 6], 2), F32([2, 4, 7], 3));
        layer.Call(q, v, k);
        layer.SetWeights([F32([5, 2, 3], 4), F32([2, 3], 5), F32([7, 2, 3], 6), F32([2, 3], 7),
                          F32([6, 2, 4], 8), F32([2, 4], 9), F32([2, 4, 5], 10), F32([5], 11)]);
        return (layer, q, v, k);
    }

    [SkippableFact]
    public void Weights_have_keras_layout_and_order()
    {
        RequireBackend();
        var (layer, _, _, _) = Make();
        Assert.Equal(["query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias", "attention_output/kernel", "attention_output/bias"],
                     layer.Variables.Select(v => v.Name![(layer.Name.Length + 1)..]));
        Assert.Equal([new Shape(5, 2, 3), new Shape(2, 3), new Shape(7, 2, 3), new Shape(2, 3), new Shape(6, 2, 4), new Shape(2, 4), new Shape(2, 4, 5), new Shape(5)],
                     layer.Variables.Select(v => v.Shape));
        Assert.Equal(5 * 6 + 6 + 7 * 6 + 6 + 6 * 8 + 8 + 8 * 5 + 5, layer.CountParams());
        var noBias = new Layers.MultiHeadAttention(2, 3, useBias: false, outputShape: 9);
        Assert.Equal(new Shape(2, 3, 9), noBias.Call(F32([2, 3, 5], 1), F32([2, 4, 6], 2)).Shape);
        Assert.Equal(4, noBias.Variables.Count);
    }

    [SkippableFact]
    public void Values_and_scores_match_keras()
    {
        RequireBackend();
        var (layer, q, v, k) = Make();
        var (y, scores) = layer.CallWithScores(q, v, k);
        Assert.Equal(new Shape(2, 3, 5), y.Shape);
        Assert.Equal(new Shape(2, 2, 3, 4), scores.Shape);
        AssertClose(R.MhaOut, D(y), 1e-5, 1e-6, "output");
        AssertClose(R.MhaScores, D(scores), 1e-5, 1e-6, "scores");
        AssertClose(R.MhaOut, D(layer.Call([q, v, k])), 1e-5, 1e-6, "list call");
    }

    [SkippableFact]
    public void Attention_mask_and_causal_mask_exclude_keys_as_keras()
    {
        RequireBackend();
        var (layer, q, v, k) = Make();
        var (y, scores) = layer.CallWithScores(q, v, k, attentionMask: Bools(AttentionMask, [2, 3, 4]));
        AssertClose(R.MhaMaskedOut, D(y), 1e-5, 1e-6, "masked output");
        AssertClose(R.MhaMaskedScores, D(scores), 1e-5, 1e-6, "masked scores");
        // A numeric mask means the same (nonzero keeps), and one of (batch, heads, Tq, Tv) too.
        var numeric = NF.Constant(AttentionMask.Select(m => (float)m).ToArray(), [2, 3, 4]);
        Assert.Equal(y.ToArray<float>(), layer.Call(q, v, k, attentionMask: numeric).ToArray<float>());
        var perHead = NF.Tile(NF.Reshape(numeric, [2, 1, 3, 4]), [1, 2, 1, 1]);
        Assert.Equal(y.ToArray<float>(), layer.Call(q, v, k, attentionMask: perHead).ToArray<float>());

        var valueMask = Bools([1, 1, 1, 0, 1, 1, 0, 0], [2, 4]);
        var (c, cs) = layer.CallWithScores(q, v, k, valueMask: valueMask, useCausalMask: true);
        AssertClose(R.MhaCausalOut, D(c), 1e-5, 1e-6, "causal output");
        AssertClose(R.MhaCausalScores, D(cs), 1e-5, 1e-6, "causal scores");
        // keyMask combines as valueMask does.
        Assert.Equal(c.ToArray<float>(), layer.Call(q, v, k, keyMask: valueMask, useCausalMask: true).ToArray<float>());
    }

    [SkippableFact]
    public void Gradients_match_torch_autograd()
    {
        RequireBackend();
        var (layer, q, v, k) = Make();
        var mask = Bools(AttentionMask, [2, 3, 4]);
        using var w = F32([2, 3, 5], 12);
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            tape.Watch(q);
            tape.Watch(v);
            tape.Watch(k);
            var loss = NF.ReduceSum(layer.Call(q, v, k, attentionMask: mask) * w);
            grads = tape.Gradient(loss, [q, v, k, layer.QueryKernel!]);
        }
        AssertClose(R.MhaGradQuery, D(grads[0]), 1e-4, 1e-6, "d query");
        AssertClose(R.MhaGradValue, D(grads[1]), 1e-4, 1e-6, "d value");
        AssertClose(R.MhaGradKey, D(grads[2]), 1e-4, 1e-6, "d key");
        AssertClose(R.MhaGradQueryKernel, D(grads[3]), 1e-4, 1e-6, "d query kernel");
    }

    [SkippableFact]
    public void Dropout_acts_in_training_only_and_scores_are_before_it()
    {
        RequireBackend();
        var layer = new Layers.MultiHeadAttention(2, 3, dropout: 0.5, seed: 3);
        using var x = F32([2, 4, 5], 1);
        var inference = layer.Call(x, x);
        Assert.Equal(inference.ToArray<float>(), layer.Call(x).ToArray<float>());
        var (trained, scores) = layer.CallWithScores(x, x, training: true);
        Assert.NotEqual(inference.ToArray<float>(), trained.ToArray<float>());
        var rows = NF.ReduceSum(scores, -1).ToArray<float>();
        Assert.All(rows, r => Assert.Equal(1f, r, 1e-5f));
    }

    [SkippableFact]
    public void Bad_arguments_and_shapes_fail_naming_what_is_wrong()
    {
        RequireBackend();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.MultiHeadAttention(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.MultiHeadAttention(2, 0));
        Assert.Contains("attentionAxes", Assert.Throws<NotSupportedException>(() => new Layers.MultiHeadAttention(2, 3, attentionAxes: [1, 2])).Message);
        var (layer, q, v, k) = Make();
        Assert.Contains("same number of steps", Assert.Throws<ArgumentException>(() => layer.Call(q, v, F32([2, 5, 7], 3))).Message);
        Assert.Contains("built for a key of 7 features", Assert.Throws<ArgumentException>(() => layer.Call(q, v, F32([2, 4, 6], 3))).Message);
        Assert.Contains("built for a query of 5", Assert.Throws<ArgumentException>(() => layer.Call(F32([2, 3, 4], 1), v, k)).Message);
        Assert.Contains("batch size", Assert.Throws<ArgumentException>(() => layer.Call(F32([1, 3, 5], 1), v, k)).Message);
        Assert.Contains("(batch, steps, features)", Assert.Throws<ArgumentException>(() => layer.Call(F32([2, 5], 1), v, k)).Message);
        var ex = Assert.Throws<ArgumentException>(() => layer.Call(q, v, k, attentionMask: Bools(AttentionMask[..18], [2, 3, 3])));
        Assert.Contains("attentionMask has shape (2, 3, 3)", ex.Message);
        Assert.Contains("valueMask", Assert.Throws<ArgumentException>(() => layer.Call(q, v, k, valueMask: Bools([1, 1, 1, 1, 1, 1], [2, 3]))).Message);
        Assert.Contains("queryMask", Assert.Throws<ArgumentException>(() => layer.Call(q, v, k, queryMask: Bools([1, 1, 1, 1], [2, 2]))).Message);
        Assert.Contains("list of 4", Assert.Throws<ArgumentException>(() => layer.Call([q, v, k, k])).Message);
    }
}

public sealed class ManagedMultiHeadAttentionTests() : MultiHeadAttentionTests("managed");

public sealed class NativeCpuMultiHeadAttentionTests() : MultiHeadAttentionTests("cpu");

public sealed class CudaMultiHeadAttentionTests() : MultiHeadAttentionTests("cuda");
