using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasLayers.ReferenceValues;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Breadth4;

/// <summary>
/// MultiHeadAttention, Attention and AdditiveAttention read the masks their inputs carry, as
/// Keras 3 does (Layer.__call__ fills query_mask / value_mask / key_mask, or Attention's mask
/// list, from the inputs' _keras_mask; multi_head_attention.py _compute_attention_mask combines
/// them with the causal mask), and their output carries the query mask. Reference values: Keras'
/// formulas written with PyTorch 1.13 ops in make_attention_mask_reference.py (weights and inputs
/// round(0.5 sin(0.37 i + seed), 6), as layer_reference.py); and the same layer with the explicit
/// mask built by hand from the padding, which must give the same bits.
/// </summary>
public abstract class ImplicitAttentionMaskTests(string backend) : BackendFileTest(backend)
{
    private static readonly double[] MhaSelf = [-0.5589413, -0.496237, -0.3663704, -0.1869167, 0.01783586, -0.5591755, -0.4967303, -0.3670561, -0.1877019, 0.01705738, -0.5594309, -0.4968459, -0.3670162, -0.187512, 0.01737162, -0.5602652, -0.4979886, -0.3683125, -0.1887866, 0.01629134, -0.554159, -0.4935408, -0.366125, -0.1891555, 0.01341606, -0.5546925, -0.4939769, -0.3664047, -0.1892409, 0.01353643, -0.5581022, -0.496601, -0.3678882, -0.1893829, 0.01475511, -0.5581022, -0.496601, -0.3678882, -0.1893829, 0.01475511];
    private static readonly double[] MhaCausal = [-0.5861464, -0.5134974, -0.3713501, -0.1789419, 0.03768588, -0.5709941, -0.5035132, -0.3678852, -0.1824653, 0.02765123, -0.5594309, -0.4968459, -0.3670162, -0.187512, 0.01737162, -0.5602652, -0.4979886, -0.3683125, -0.1887866, 0.01629134, -0.5748028, -0.5061853, -0.3690592, -0.1819822, 0.02972596, -0.5546925, -0.4939769, -0.3664047, -0.1892409, 0.01353643, -0.5581022, -0.496601, -0.3678882, -0.1893829, 0.01475511, -0.5581022, -0.496601, -0.3678882, -0.1893829, 0.01475511];
    private static readonly double[] MhaKeyMask = [-0.5622323, -0.5000112, -0.3701169, -0.1901285, 0.01559351, -0.5614637, -0.499194, -0.3693617, -0.1895376, 0.01594023, -0.5615849, -0.4990022, -0.3688828, -0.1888365, 0.01676872, -0.5748028, -0.5061853, -0.3690592, -0.1819822, 0.02972596, -0.5748028, -0.5061853, -0.3690592, -0.1819822, 0.02972596, -0.5748028, -0.5061853, -0.3690592, -0.1819822, 0.02972596];
    private static readonly double[] AttentionSelf = [0.2510386, 0.2684767, 0.249578, 0.1968994, 0.1175715, -0.01832546, -0.07597114, -0.123334, -0.1540048, -0.1638317, -0.1697364, -0.201949, -0.2068286, -0.1837152, -0.1357368, 0, -0, -0, -0, -0, 0.1479966, 0.0339791, -0.08463787, -0.1917989, -0.2730017, -0.1868675, -0.2903472, -0.354529, -0.3707272, -0.3367498, 0, -0, -0, -0, -0, 0, -0, -0, -0, -0];
    private static readonly double[] AdditiveSelf = [0.01085643, 0.002519757, -0.006157786, -0.01400232, -0.01995167, 0.01434578, 0.003561765, -0.007704124, -0.01792771, -0.02572484, 0.02647491, 0.01731415, 0.005810186, -0.006480582, -0.01789419, 0, 0, -0, -0, -0, 0.0221919, -0.08786668, -0.186033, -0.2590203, -0.2969512, 0.01087829, -0.09882425, -0.1951514, -0.2650655, -0.299105, 0, -0, -0, -0, -0, 0, -0, -0, -0, -0];

    private static readonly int[] Lengths = [3, 2], KeyLengths = [4, 1];

    // vals(shape, seed) with the steps past each row's length zeroed (what Masking(0.0) then masks).
    private static Tensor Padded(int seed, int[] lengths)
    {
        var v = Vals([2, 4, 5], seed).Select(d => (float)d).ToArray();
        for (int b = 0; b < 2; b++)
            for (int t = lengths[b]; t < 4; t++)
                for (int f = 0; f < 5; f++) v[(b * 4 + t) * 5 + f] = 0;
        return NF.Constant(v, new Shape(2, 4, 5));
    }

    private static Tensor LengthMask(int[] lengths) =>
        NF.Constant(lengths.SelectMany(l => Enumerable.Range(0, 4).Select(t => t < l)).ToArray(), new Shape(lengths.Length, 4));

    // The padded input carrying its mask, as after Embedding(maskZero) or Masking.
    private static Tensor Carrying(Tensor x) => new Layers.Masking(0.0).Call(x);

    private static Layers.MultiHeadAttention Mha()
    {
        var layer = new Layers.MultiHeadAttention(2, 3, valueDim: 4);
        layer.Call(F32([2, 4, 5], 1), F32([2, 4, 5], 1));
        layer.SetWeights([F32([5, 2, 3], 4), F32([2, 3], 5), F32([5, 2, 3], 6), F32([2, 3], 7),
                          F32([5, 2, 4], 8), F32([2, 4], 9), F32([2, 4, 5], 10), F32([5], 11)]);
        return layer;
    }

    [SkippableFact]
    public void MultiHeadAttention_masks_padded_keys_and_queries_from_the_inputs_masks()
    {
        RequireBackend();
        var mha = Mha();
        var plain = Padded(1, Lengths);
        var x = Carrying(plain);
        var m = LengthMask(Lengths);
        var y = mha.Call(x, x);
        AssertClose(MhaSelf, D(y), 1e-5, 1e-6, "self-attention");
        Assert.Equal(mha.Call(plain, plain, queryMask: m, valueMask: m).ToArray<float>(), y.ToArray<float>());
        Assert.NotEqual(mha.Call(plain, plain).ToArray<float>(), y.ToArray<float>());
        Assert.Equal(m.ToArray<bool>(), Layer.MaskOf(y)!.ToArray<bool>());
        // The inputs keep their masks: Keras 3 deletes them so its projection sublayers do not apply
        // them again; NF's projections are ops, and a residual Add after the layer still sees x's mask.
        Assert.Equal(m.ToArray<bool>(), Layer.MaskOf(x)!.ToArray<bool>());

        var causal = mha.Call(x, x, useCausalMask: true);
        AssertClose(MhaCausal, D(causal), 1e-5, 1e-6, "causal");
        Assert.Equal(mha.Call(plain, plain, queryMask: m, valueMask: m, useCausalMask: true).ToArray<float>(), causal.ToArray<float>());

        // A key of its own: its mask joins the value's; an unmasked query leaves the output unmasked.
        var query = F32([2, 3, 5], 2);
        var keyPlain = Padded(3, KeyLengths);
        var crossed = mha.Call(query, x, Carrying(keyPlain));
        AssertClose(MhaKeyMask, D(crossed), 1e-5, 1e-6, "key mask");
        Assert.Equal(mha.Call(query, plain, keyPlain, valueMask: m, keyMask: LengthMask(KeyLengths)).ToArray<float>(), crossed.ToArray<float>());
        Assert.Null(Layer.MaskOf(crossed));

        // The scores carry no mask; a mask given explicitly wins over the carried one, for the output's too.
        var (output, scores) = mha.CallWithScores(x, x);
        Assert.NotNull(Layer.MaskOf(output));
        Assert.Null(Layer.MaskOf(scores));
        var all = NF.Ones([2, 4], DType.Bool);
        var explicitQuery = mha.Call(x, x, queryMask: all);
        Assert.Equal(mha.Call(plain, plain, queryMask: all, valueMask: m).ToArray<float>(), explicitQuery.ToArray<float>());
        Assert.Equal(all.ToArray<bool>(), Layer.MaskOf(explicitQuery)!.ToArray<bool>());
        // Layer.Call(x, mask) (Keras' layer(x, mask=...)) on the self-attention of one tensor; on the
        // layer itself, Call(a, b) is Call(query, value).
        Assert.Equal(y.ToArray<float>(), ((Layer)mha).Call(plain, m).ToArray<float>());
        // An explicit mask that does not fit is still named, carried masks or not.
        Assert.Equal("valueMask", Assert.Throws<ArgumentException>(() => mha.Call(x, x, valueMask: NF.Ones([2, 3], DType.Bool))).ParamName);
    }

    [SkippableFact]
    public void Attention_and_AdditiveAttention_read_the_mask_list_of_their_inputs()
    {
        RequireBackend();
        var plain = Padded(1, Lengths);
        var x = Carrying(plain);
        var m = LengthMask(Lengths);
        var attention = new Layers.Attention();
        var y = attention.Call([x, x]);
        AssertClose(AttentionSelf, D(y), 1e-5, 1e-6, "dot");
        Assert.Equal(attention.Call([plain, plain], m, m).ToArray<float>(), y.ToArray<float>());
        Assert.Equal(y.ToArray<float>(), attention.Call(x).ToArray<float>());
        Assert.Equal(m.ToArray<bool>(), Layer.MaskOf(y)!.ToArray<bool>());
        Assert.Null(Layer.MaskOf(attention.CallWithScores([x, x]).Scores));
        // Keras fills its mask list only when no mask is given: a query mask alone leaves the values unmasked.
        var all = NF.Ones([2, 4], DType.Bool);
        Assert.Equal(attention.Call([plain, plain], all).ToArray<float>(), attention.Call([x, x], all).ToArray<float>());

        var additive = new Layers.AdditiveAttention();
        additive.Call([plain, plain]);
        additive.SetWeights([F32([5], 12)]);
        var a = additive.Call([x, x]);
        AssertClose(AdditiveSelf, D(a), 1e-5, 1e-6, "additive");
        Assert.Equal(additive.Call([plain, plain], m, m).ToArray<float>(), a.ToArray<float>());
        Assert.Equal(m.ToArray<bool>(), Layer.MaskOf(a)!.ToArray<bool>());
    }

    // Token rows and the same rows without their padding, one by one.
    private static readonly int[,] Tokens = { { 4, 7, 1, 0, 0, 0 }, { 9, 2, 0, 0, 0, 0 } };
    private static readonly int[][] Unpadded = [[4, 7, 1], [9, 2]];

    private static void PaddingIsIgnored(Func<Tensor, Tensor> predict)
    {
        var batch = predict(NF.Constant(Tokens)).ToArray<float>();
        int width = batch.Length / 2;
        for (int b = 0; b < 2; b++)
        {
            var alone = predict(NF.Constant(Unpadded[b], new Shape(1, Unpadded[b].Length))).ToArray<float>();
            AssertClose(alone.Select(v => (double)v).ToArray(), batch[(b * width)..((b + 1) * width)].Select(v => (double)v).ToArray(), 1e-5, 1e-6, $"row {b}");
        }
    }

    [SkippableFact]
    public void Sequential_and_functional_models_ignore_the_padding()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var sequential = new Sequential(new Layers.Embedding(10, 6, maskZero: true), new Layers.MultiHeadAttention(2, 3),
            new Layers.GlobalAveragePooling1D(), new Layers.Dense(2));
        PaddingIsIgnored(sequential.Call);

        // A transformer block: residual Add and LayerNormalization pass the query mask on to the pooling.
        var input = Layers.Input([null], DType.Int32);
        var embedded = new Layers.Embedding(10, 6, maskZero: true).Call(input);
        var attended = new Layers.MultiHeadAttention(2, 3).Call(embedded, embedded);
        var block = new Layers.LayerNormalization().Call(new Layers.Add().Call([embedded, attended]));
        var luong = new Layers.Attention().Call([block, embedded]);
        var functional = new Model(input, new Layers.Dense(2).Call(new Layers.GlobalAveragePooling1D().Call(luong)));
        PaddingIsIgnored(t => functional.Predict(t));
        PaddingIsIgnored(t => functional.Call(t));
    }

    private static Sequential TokenModel() => new(new Layers.Embedding(6, 8, maskZero: true), new Layers.MultiHeadAttention(2, 4),
        new Layers.GlobalAveragePooling1D(), new Layers.Dense(1, activation: "sigmoid"));

    [SkippableFact]
    public void Fit_replay_equals_eager_bit_for_bit()
    {
        RequireBackend();
        var (x, y) = MaskedTokens.Data(48, 2);
        NF.Random.SetSeed(6);
        var (traced, history) = MaskedTokens.FitReplayedAndEager(TokenModel, x, y, epochs: 8);
        Assert.True(history["loss"][^1] < history["loss"][0], $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        // The trained model ignores the padding: a row padded further predicts as the row alone.
        Assert.Equal(traced.Call(NF.Constant(new[,] { { 5, 2 } })).ToArray<float>()[0],
                     traced.Predict(NF.Constant(new[,] { { 5, 2, 0, 0, 0, 0 } })).ToArray<float>()[0], 5);
    }
}

public sealed class ManagedImplicitAttentionMaskTests() : ImplicitAttentionMaskTests("managed");

public sealed class NativeCpuImplicitAttentionMaskTests() : ImplicitAttentionMaskTests("cpu");

public sealed class CudaImplicitAttentionMaskTests() : ImplicitAttentionMaskTests("cuda");
