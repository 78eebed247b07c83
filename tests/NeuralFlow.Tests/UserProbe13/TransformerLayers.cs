using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// keras.io's TransformerBlock (examples/nlp/text_classification_with_transformer.py) as a C# user
/// writes it: sublayers in fields, <c>call</c> as <c>Forward</c>, <c>get_config</c> as <c>GetConfig</c>.
/// </summary>
internal sealed class TransformerBlock : Layer
{
    private readonly int _embedDim, _numHeads, _ffDim;
    private readonly double _rate;
    private readonly Layers.MultiHeadAttention _att;
    private readonly Sequential _ffn;
    private readonly Layers.LayerNormalization _layernorm1, _layernorm2;
    private readonly Layers.Dropout _dropout1, _dropout2;

    public TransformerBlock(int embedDim, int numHeads, int ffDim, double rate = 0.1, string? name = null) : base(name)
    {
        (_embedDim, _numHeads, _ffDim, _rate) = (embedDim, numHeads, ffDim, rate);
        _att = new Layers.MultiHeadAttention(numHeads: numHeads, keyDim: embedDim);
        _ffn = new Sequential(new Layers.Dense(ffDim, activation: "relu"), new Layers.Dense(embedDim));
        _layernorm1 = new Layers.LayerNormalization(epsilon: 1e-6);
        _layernorm2 = new Layers.LayerNormalization(epsilon: 1e-6);
        _dropout1 = new Layers.Dropout(rate);
        _dropout2 = new Layers.Dropout(rate);
    }

    protected override Tensor Forward(Tensor inputs)
    {
        var attnOutput = _att.Call(inputs, inputs);
        attnOutput = _dropout1.Call(attnOutput);
        var out1 = _layernorm1.Call(inputs + attnOutput);
        var ffnOutput = _ffn.Call(out1);
        ffnOutput = _dropout2.Call(ffnOutput);
        return _layernorm2.Call(out1 + ffnOutput);
    }

    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["embed_dim"] = _embedDim;
        config["num_heads"] = _numHeads;
        config["ff_dim"] = _ffDim;
        config["rate"] = _rate;
        return config;
    }

    public static void Register() => KerasSerialization.Register("TransformerBlock", c => new TransformerBlock(
        (int)c["embed_dim"]!, (int)c["num_heads"]!, (int)c["ff_dim"]!, (double)c["rate"]!, (string?)c["name"]));
}

/// <summary>keras.io's TokenAndPositionEmbedding: token embeddings plus the embeddings of positions 0..length-1.</summary>
internal sealed class TokenAndPositionEmbedding : Layer
{
    private readonly int _maxlen, _vocabSize, _embedDim;
    private readonly Layers.Embedding _tokenEmb, _posEmb;

    public TokenAndPositionEmbedding(int maxlen, int vocabSize, int embedDim, string? name = null) : base(name)
    {
        (_maxlen, _vocabSize, _embedDim) = (maxlen, vocabSize, embedDim);
        _tokenEmb = new Layers.Embedding(inputDim: vocabSize, outputDim: embedDim);
        _posEmb = new Layers.Embedding(inputDim: maxlen, outputDim: embedDim);
    }

    protected override Tensor Forward(Tensor x)
    {
        int maxlen = x.Shape[-1];
        var positions = _posEmb.Call(NF.Range(0, maxlen, 1));
        return _tokenEmb.Call(x) + positions;
    }

    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["maxlen"] = _maxlen;
        config["vocab_size"] = _vocabSize;
        config["embed_dim"] = _embedDim;
        return config;
    }

    public static void Register() => KerasSerialization.Register("TokenAndPositionEmbedding", c => new TokenAndPositionEmbedding(
        (int)c["maxlen"]!, (int)c["vocab_size"]!, (int)c["embed_dim"]!, (string?)c["name"]));
}
