using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's QREmbedding (examples/keras_recipes/memory_efficient_embeddings.py): the quotient-
/// remainder trick, two <paramref name="numBuckets"/>-row tables whose rows for index // buckets
/// and index % buckets are multiplied, a distinct vector per index. NeuralFlow tensors hold no
/// strings, so the example's StringLookup runs before the model and the layer takes its ids.
/// </summary>
internal sealed class QREmbedding(int embeddingDim, int numBuckets, string? name = null) : Layer(name)
{
    private readonly Layers.Embedding _qEmbeddings = new(numBuckets, embeddingDim);
    private readonly Layers.Embedding _rEmbeddings = new(numBuckets, embeddingDim);

    protected override Tensor Forward(Tensor embeddingIndex)
    {
        var buckets = NF.Constant((long)numBuckets);
        var quotientIndex = NF.FloorDiv(embeddingIndex, NF.Cast(buckets, embeddingIndex.DType));
        var remainderIndex = NF.FloorMod(embeddingIndex, NF.Cast(buckets, embeddingIndex.DType));
        return _qEmbeddings.Call(quotientIndex) * _rEmbeddings.Call(remainderIndex);
    }
}

/// <summary>
/// keras.io's MDEmbedding: the vocabulary, sorted by popularity, cut into blocks of decreasing
/// embedding width, each block's table with one out-of-vocabulary row (its StringLookup's
/// num_oov_indices=1), projected to the full width by a Dense unless already that wide; each id
/// keeps the embedding of its own block (the others masked to zeros) and the blocks are summed.
/// Blocks are ranges of the sorted ids here, which is what the example's vocabulary lists are.
/// </summary>
internal sealed class MDEmbedding : Layer
{
    private readonly int[] _blockStarts, _blockSizes;
    private readonly int _baseEmbeddingDim;
    private readonly Layers.Embedding[] _blockEmbeddingEncoders;
    private readonly Layers.Dense?[] _blockEmbeddingProjectors;

    public MDEmbedding(int[] blockSizes, int[] blocksEmbeddingDims, int baseEmbeddingDim, string? name = null) : base(name)
    {
        _blockSizes = blockSizes;
        _blockStarts = new int[blockSizes.Length];
        for (int b = 1; b < blockSizes.Length; b++) _blockStarts[b] = _blockStarts[b - 1] + blockSizes[b - 1];
        _baseEmbeddingDim = baseEmbeddingDim;
        _blockEmbeddingEncoders = blockSizes.Select((size, b) => new Layers.Embedding(size + 1, blocksEmbeddingDims[b])).ToArray();
        // The example's Lambda(lambda x: x) where the block is already full width.
        _blockEmbeddingProjectors = blocksEmbeddingDims.Select(d => d == baseEmbeddingDim ? null : new Layers.Dense(baseEmbeddingDim)).ToArray();
    }

    protected override Tensor Forward(Tensor inputs)
    {
        var ids = NF.Cast(inputs, DType.Int64);
        var embeddings = NF.Zeros([inputs.Shape[0], _baseEmbeddingDim]);
        for (int idx = 0; idx < _blockSizes.Length; idx++)
        {
            var inBlock = NF.LogicalAnd(NF.GreaterEqual(ids, _blockStarts[idx]), NF.Less(ids, _blockStarts[idx] + _blockSizes[idx]));
            // The block's lookup: 1 + the position in the block, 0 (the OOV row) outside it.
            var local = NF.Where(inBlock, ids - _blockStarts[idx] + 1, NF.ZerosLike(ids));
            var blockEmbeddings = _blockEmbeddingEncoders[idx].Call(local);
            if (_blockEmbeddingProjectors[idx] is { } projector) blockEmbeddings = projector.Call(blockEmbeddings);
            var mask = NF.ExpandDims(NF.Cast(inBlock, DType.Float32), 1);
            embeddings += blockEmbeddings * mask;
        }
        return embeddings;
    }
}
