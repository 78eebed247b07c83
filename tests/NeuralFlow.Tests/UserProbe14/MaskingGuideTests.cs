using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe14;

/// <summary>
/// keras.io's "Understanding masking &amp; padding" guide in C#: pad_sequences and the masks it prints,
/// a mask passed explicitly to an LSTM, a user layer that makes its mask by overriding ComputeMask
/// (Keras 3 then supports masking by default), and the guide's TemporalSoftmax, which reads its mask
/// in call, in a functional model (its symbolic call sees a mask, as Keras').
/// </summary>
public abstract class MaskingGuideTests(string backend) : BackendTest(backend)
{
    private static readonly int[][] Raw = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]];

    // The guide's printed mask of the post-padded batch.
    private static readonly bool[] GuideMask =
    [
        true, true, true, false, false, false,
        true, true, true, true, true, false,
        true, true, true, true, true, true,
    ];

    [SkippableFact]
    public void Pad_sequences_and_the_masks_are_the_guides()
    {
        RequireBackend();
        var post = Utils.PadSequences(Raw, padding: "post");
        Assert.Equal(new[] { 711, 632, 71, 0, 0, 0, 73, 8, 3215, 55, 927, 0, 83, 91, 1, 645, 1253, 927 }, post.ToArray<int>());
        var pre = Utils.PadSequences(Raw);
        Assert.Equal(new[] { 0, 0, 0, 711, 632, 71, 0, 73, 8, 3215, 55, 927, 83, 91, 1, 645, 1253, 927 }, pre.ToArray<int>());

        var embedded = new Layers.Embedding(5000, 16, maskZero: true).Call(post);
        Assert.Equal(GuideMask, Layer.MaskOf(embedded)!.ToArray<bool>());
        var tiled = NF.Cast(NF.Tile(NF.ExpandDims(post, -1), [1, 1, 10]), DType.Float32);
        Assert.Equal(GuideMask, Layer.MaskOf(new Layers.Masking().Call(tiled))!.ToArray<bool>());
    }

    [SkippableFact]
    public void A_mask_passed_to_an_lstm_gives_each_sequence_its_unpadded_final_state()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var embedding = new Layers.Embedding(5000, 4, maskZero: true);
        var lstm = new Layers.LSTM(3);
        var padded = Utils.PadSequences(Raw, padding: "post");
        // The guide's MyLayer: output = self.lstm(x, mask=self.embedding.compute_mask(inputs)).
        var x = embedding.Call(padded);
        var masked = lstm.Call(x, embedding.ComputeMask(padded, null)).ToArray<float>();
        for (int i = 0; i < Raw.Length; i++)
        {
            var alone = lstm.Call(embedding.Call(NF.Constant(Raw[i], [1, Raw[i].Length]))).ToArray<float>();
            for (int j = 0; j < 3; j++) Assert.Equal(alone[j], masked[3 * i + j], 5);
        }
    }

    // The guide's CustomEmbedding: compute_mask overridden, supports_masking left at Keras 3's default.
    private sealed class CustomEmbedding(int inputDim, int outputDim, bool maskZero) : Layer
    {
        private Variable? _embeddings;
        protected override void Build(Shape inputShape) => _embeddings = AddWeight("embeddings", [inputDim, outputDim], initializer: "random_normal");
        protected override Tensor Forward(Tensor x) => NF.Gather(_embeddings!, x);
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => maskZero ? NF.NotEqual(inputs, NF.Constant(0)) : null;
    }

    [SkippableFact]
    public void A_layer_that_overrides_compute_mask_attaches_its_mask()
    {
        RequireBackend();
        var layer = new CustomEmbedding(10, 4, maskZero: true);
        var x = NF.Constant(new[] { 1, 0, 3, 4, 0, 0 }, [2, 3]);
        var y = layer.Call(x);
        Assert.True(layer.SupportsMasking);
        Assert.Equal(new[] { true, false, true, true, false, false }, layer.ComputeMask(x, null)!.ToArray<bool>());
        Assert.Equal(new[] { true, false, true, true, false, false }, Layer.MaskOf(y)?.ToArray<bool>());
    }

    // The guide's TemporalSoftmax: supports_masking, and call(inputs, mask=None) asserting a mask.
    private sealed class TemporalSoftmax : Layer
    {
        public override bool SupportsMasking => true;
        protected override Tensor Forward(Tensor x, Tensor? mask)
        {
            if (mask is null) throw new InvalidOperationException("TemporalSoftmax: no mask reached the call.");
            var m = NF.ExpandDims(NF.Cast(mask, DType.Float32), -1);
            var e = NF.Exp(x) * m;
            return e / NF.ReduceSum(e * m, [-1], keepDims: true);
        }
    }

    // A layer that only overrides the masked call, as Keras' call(self, inputs, mask=None), called without one.
    private sealed class MaskOrOnes : Layer
    {
        protected override Tensor Forward(Tensor x, Tensor? mask) => mask is null ? NF.OnesLike(x) : NF.Cast(mask, x.DType);
    }

    // A masked call that hands a real mask on to the base class, which has no computation of its own.
    private sealed class BaseWithMask : Layer
    {
        protected override Tensor Forward(Tensor x, Tensor? mask) => base.Forward(x, mask);
    }

    [SkippableFact]
    public void A_masked_call_that_calls_its_base_gets_a_clear_error_not_a_stack_overflow()
    {
        RequireBackend();
        var e = Assert.Throws<NotImplementedException>(() => new BaseWithMask().Call(NF.Zeros([1, 2])));
        Assert.Contains("BaseWithMask must override Forward", e.Message);
    }

    [SkippableFact]
    public void The_temporal_softmax_reads_its_mask_in_a_functional_model()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var inputs = Layers.Input([null], dtype: DType.Int32);
        var x = new Layers.Embedding(10, 4, maskZero: true).Call(inputs);
        x = new Layers.Dense(2).Call(x);
        var model = new Model(inputs, new TemporalSoftmax().Call(x));
        var tokens = NF.Constant(new[] { 3, 1, 0, 0, 2, 5, 7, 0 }, [2, 4]);
        var y = model.Call(tokens).ToArray<float>();
        Assert.Equal(16, y.Length);
        for (int step = 0; step < 8; step++)
        {
            bool real = tokens.ToArray<int>()[step] != 0;
            // A real step is a softmax over its 2 features (sums to 1); a masked one is 0 / 0, as in Keras.
            if (real) Assert.Equal(1f, y[2 * step] + y[2 * step + 1], 5);
            else Assert.True(float.IsNaN(y[2 * step]));
        }
        Assert.Equal(new[] { 1f, 1f }, new MaskOrOnes().Call(NF.Zeros([1, 2])).ToArray<float>());
    }
}

/// <summary>The masking guide on the managed backend.</summary>
public sealed class ManagedMaskingGuideTests() : MaskingGuideTests("managed");

/// <summary>The masking guide on the native CPU backend.</summary>
public sealed class NativeCpuMaskingGuideTests() : MaskingGuideTests("cpu");

/// <summary>The masking guide on CUDA.</summary>
public sealed class CudaMaskingGuideTests() : MaskingGuideTests("cuda");
