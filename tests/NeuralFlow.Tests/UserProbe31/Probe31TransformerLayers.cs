using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe31;

/// <summary>
/// The layers of TensorFlow's "Neural machine translation with a Transformer and Keras" tutorial
/// (site/en/text/tutorials/transformer.ipynb) as a C# user writes them: sublayers in fields, <c>call</c> as
/// <c>Forward</c>, a call of two tensors (<c>call(x, context)</c>) as <c>Call([x, context])</c>.
/// </summary>
internal static class TransformerTutorial
{
    /// <summary>positional_encoding(length, depth): sines then cosines of position / 10000^(i / (depth/2)), float32.</summary>
    public static Tensor PositionalEncoding(int length, int depth)
    {
        double half = depth / 2.0;
        int columns = (int)Math.Ceiling(half);   // np.arange(depth / 2)
        var values = new float[length, 2 * columns];
        for (int pos = 0; pos < length; pos++)
            for (int i = 0; i < columns; i++)
            {
                double angle = pos * (1 / Math.Pow(10000, i / half));
                values[pos, i] = (float)Math.Sin(angle);
                values[pos, columns + i] = (float)Math.Cos(angle);
            }
        return NF.Constant(values);
    }
}

/// <summary>Token embeddings (Embedding(mask_zero=True)) scaled by sqrt(d_model) plus the positional encoding; the embedding's mask passes on.</summary>
internal sealed class PositionalEmbedding : Layer
{
    private readonly int _dModel;
    public readonly Layers.Embedding Embedding;
    private readonly Tensor _posEncoding;

    public PositionalEmbedding(int vocabSize, int dModel)
    {
        _dModel = dModel;
        Embedding = new Layers.Embedding(vocabSize, dModel, maskZero: true);
        _posEncoding = TransformerTutorial.PositionalEncoding(length: 2048, depth: dModel);
    }

    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => Embedding.ComputeMask(inputs, mask);

    protected override Tensor Forward(Tensor x)
    {
        int length = x.Shape[1];
        x = Embedding.Call(x);
        x *= MathF.Sqrt(_dModel);
        return x + NF.ExpandDims(_posEncoding[..length], 0);
    }
}

/// <summary>BaseAttention: MultiHeadAttention, LayerNormalization and Add.</summary>
internal abstract class BaseAttention(int numHeads, int keyDim, double dropout) : Layer
{
    public readonly Layers.MultiHeadAttention Mha = new(numHeads: numHeads, keyDim: keyDim, dropout: dropout);
    public readonly Layers.LayerNormalization Layernorm = new();
    protected readonly Layers.Add AddLayer = new();
}

/// <summary>The decoder's attention to the encoder's output; keeps the last attention scores for plotting.</summary>
internal sealed class CrossAttention(int numHeads, int keyDim, double dropout) : BaseAttention(numHeads, keyDim, dropout)
{
    public Tensor? LastAttnScores { get; private set; }

    // call(self, x, context)
    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        var (x, context) = (inputs[0], inputs[1]);
        var (attnOutput, attnScores) = Mha.CallWithScores(query: x, key: context, value: context);
        LastAttnScores = attnScores;
        x = AddLayer.Call([x, attnOutput]);
        return Layernorm.Call(x);
    }
}

/// <summary>The encoder's self-attention: every position sees every (unpadded) position.</summary>
internal sealed class GlobalSelfAttention(int numHeads, int keyDim, double dropout) : BaseAttention(numHeads, keyDim, dropout)
{
    protected override Tensor Forward(Tensor x)
    {
        var attnOutput = Mha.Call(query: x, value: x, key: x);
        x = AddLayer.Call([x, attnOutput]);
        return Layernorm.Call(x);
    }
}

/// <summary>The decoder's self-attention: position i sees positions 0..i (use_causal_mask=True).</summary>
internal sealed class CausalSelfAttention(int numHeads, int keyDim, double dropout) : BaseAttention(numHeads, keyDim, dropout)
{
    protected override Tensor Forward(Tensor x)
    {
        var attnOutput = Mha.Call(query: x, value: x, key: x, useCausalMask: true);
        x = AddLayer.Call([x, attnOutput]);
        return Layernorm.Call(x);
    }
}

/// <summary>Dense(dff, relu), Dense(d_model), Dropout, a residual connection and LayerNormalization.</summary>
internal sealed class FeedForward(int dModel, int dff, double dropoutRate = 0.1) : Layer
{
    public readonly Sequential Seq = new(new Layers.Dense(dff, activation: "relu"), new Layers.Dense(dModel), new Layers.Dropout(dropoutRate));
    private readonly Layers.Add _add = new();
    public readonly Layers.LayerNormalization LayerNorm = new();

    protected override Tensor Forward(Tensor x)
    {
        x = _add.Call([x, Seq.Call(x)]);
        return LayerNorm.Call(x);
    }
}

internal sealed class EncoderLayer(int dModel, int numHeads, int dff, double dropoutRate = 0.1) : Layer
{
    public readonly GlobalSelfAttention SelfAttention = new(numHeads, keyDim: dModel, dropout: dropoutRate);
    public readonly FeedForward Ffn = new(dModel, dff);

    protected override Tensor Forward(Tensor x) => Ffn.Call(SelfAttention.Call(x));
}

internal sealed class Encoder : Layer
{
    public readonly PositionalEmbedding PosEmbedding;
    public readonly EncoderLayer[] EncLayers;
    private readonly Layers.Dropout _dropout;

    public Encoder(int numLayers, int dModel, int numHeads, int dff, int vocabSize, double dropoutRate = 0.1)
    {
        PosEmbedding = new PositionalEmbedding(vocabSize, dModel);
        EncLayers = Enumerable.Range(0, numLayers).Select(_ => new EncoderLayer(dModel, numHeads, dff, dropoutRate)).ToArray();
        _dropout = new Layers.Dropout(dropoutRate);
    }

    protected override Tensor Forward(Tensor x)
    {
        x = PosEmbedding.Call(x);   // (batch_size, seq_len, d_model)
        x = _dropout.Call(x);
        foreach (var layer in EncLayers) x = layer.Call(x);
        return x;
    }
}

internal sealed class DecoderLayer(int dModel, int numHeads, int dff, double dropoutRate = 0.1) : Layer
{
    public readonly CausalSelfAttention CausalSelfAttention = new(numHeads, keyDim: dModel, dropout: dropoutRate);
    public readonly CrossAttention CrossAttention = new(numHeads, keyDim: dModel, dropout: dropoutRate);
    public readonly FeedForward Ffn = new(dModel, dff);
    public Tensor? LastAttnScores { get; private set; }

    // call(self, x, context)
    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        var (x, context) = (inputs[0], inputs[1]);
        x = CausalSelfAttention.Call(x);
        x = CrossAttention.Call([x, context]);
        LastAttnScores = CrossAttention.LastAttnScores;
        return Ffn.Call(x);
    }
}

internal sealed class Decoder : Layer
{
    public readonly PositionalEmbedding PosEmbedding;
    private readonly Layers.Dropout _dropout;
    public readonly DecoderLayer[] DecLayers;
    public Tensor? LastAttnScores { get; private set; }

    public Decoder(int numLayers, int dModel, int numHeads, int dff, int vocabSize, double dropoutRate = 0.1)
    {
        PosEmbedding = new PositionalEmbedding(vocabSize, dModel);
        _dropout = new Layers.Dropout(dropoutRate);
        DecLayers = Enumerable.Range(0, numLayers).Select(_ => new DecoderLayer(dModel, numHeads, dff, dropoutRate)).ToArray();
    }

    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        var (x, context) = (inputs[0], inputs[1]);
        x = PosEmbedding.Call(x);   // (batch_size, target_seq_len, d_model)
        x = _dropout.Call(x);
        foreach (var layer in DecLayers) x = layer.Call([x, context]);
        LastAttnScores = DecLayers[^1].LastAttnScores;
        return x;
    }
}

/// <summary>The tutorial's subclassed Transformer: (context, x) in, logits out, the Keras mask dropped from the logits.</summary>
internal sealed class Transformer(int numLayers, int dModel, int numHeads, int dff, int inputVocabSize, int targetVocabSize, double dropoutRate = 0.1) : Model
{
    public readonly Encoder Encoder = new(numLayers, dModel, numHeads, dff, inputVocabSize, dropoutRate);
    public readonly Decoder Decoder = new(numLayers, dModel, numHeads, dff, targetVocabSize, dropoutRate);
    public readonly Layers.Dense FinalLayer = new(targetVocabSize);

    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        var (context, x) = (inputs[0], inputs[1]);
        context = Encoder.Call(context);        // (batch_size, context_len, d_model)
        x = Decoder.Call([x, context]);         // (batch_size, target_len, d_model)
        var logits = FinalLayer.Call(x);        // (batch_size, target_len, target_vocab_size)
        // del logits._keras_mask: the losses and metrics would otherwise scale by the mask a second time.
        Layer.SetMask(logits, null);
        return logits;
    }
}

/// <summary>CustomSchedule: rsqrt(d_model) * min(rsqrt(step), step * warmup_steps^-1.5).</summary>
internal sealed class CustomSchedule(int dModel, int warmupSteps = 4000) : LearningRateSchedule
{
    public override double At(long step)
    {
        float s = step;
        float arg1 = 1 / MathF.Sqrt(s);
        float arg2 = s * MathF.Pow(warmupSteps, -1.5f);
        return 1 / MathF.Sqrt(dModel) * MathF.Min(arg1, arg2);
    }
}
