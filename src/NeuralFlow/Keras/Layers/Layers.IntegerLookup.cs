using System.Text.Json.Nodes;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Maps integer tokens to contiguous indices (<c>keras.layers.IntegerLookup</c>), with Keras'
    /// index layout: the mask token at 0 (when given, in "int" mode), then the
    /// <see cref="IndexLookup{TToken}.NumOovIndices"/> out-of-vocabulary indices, then the vocabulary in its order
    /// (given, or learned by <see cref="Adapt(Tensor)"/>: most frequent first, ties larger token
    /// first). With several OOV indices a token goes to OOV index <c>token mod NumOovIndices</c>;
    /// with none, an unknown token raises. <see cref="IndexLookup{TToken}.Invert"/> maps indices back to tokens
    /// (unknown indices give <see cref="OovToken"/>). "one_hot", "multi_hot" and "count" encode
    /// the indices over the vocabulary size (the mask token, if any, is dropped); "tf_idf" weights
    /// the counts by <see cref="IndexLookup{TToken}.IdfWeights"/> (given with the vocabulary, or learned by Adapt as
    /// log(1 + documents / (1 + documents holding the token)), each row a document; the OOV slots
    /// take the mean weight unless given). Keras' vocabulary files are not offered. Tokens are compared with the whole vocabulary
    /// on the device while inputs x vocabulary stays under 16M cells; larger lookups run on the host.
    /// The vocabulary, its checks, adapting and the encodings are <see cref="IndexLookup{TToken}"/>'s, shared with StringLookup.
    /// </summary>
    public sealed class IntegerLookup : IndexLookup<long>
    {
        /// <summary>A lookup of <paramref name="vocabulary"/> (or, when null, of what <see cref="Adapt(Tensor)"/> learns).</summary>
        public IntegerLookup(long[]? vocabulary = null, int? maxTokens = null, int numOovIndices = 1, long? maskToken = null, long oovToken = -1,
                             bool invert = false, string outputMode = "int", bool sparse = false, bool padToMaxTokens = false, string? name = null,
                             double[]? idfWeights = null)
            : base(vocabulary is not null, maxTokens, numOovIndices, maskToken is not null, maskToken ?? 0, oovToken, invert, outputMode, sparse, padToMaxTokens, name, idfWeights)
        {
            if (vocabulary is not null) SetVocabulary(vocabulary, idfWeights);
        }

        /// <summary>The token that stands for padding (index 0 in "int" mode), or null.</summary>
        public long? MaskToken => HasMask ? MaskValue : null;

        /// <summary>The token an inverted lookup gives for an unknown index (Keras' default -1).</summary>
        public long OovToken => OovValue;

        /// <summary>
        /// Learns the vocabulary from every token of <paramref name="data"/>, most frequent first
        /// (Keras' <c>adapt</c>); for "tf_idf" each row is a document, and each token of a rank 0
        /// or 1 tensor its own one (Keras' adapt expands an array of rank 1 to a column).
        /// </summary>
        public void Adapt(Tensor data)
        {
            ArgumentNullException.ThrowIfNull(data);
            AdaptBatches([data.Rank < 2 ? NF.Reshape(data, [-1, 1]) : data]);
        }

        /// <summary>
        /// Learns the vocabulary from the batches of a dataset of tokens (the whole pass, or
        /// <paramref name="steps"/> batches); for "tf_idf" each row of a batch is a document, a
        /// batch of rank 0 or 1 one document (Keras' update_state).
        /// </summary>
        public void Adapt(Dataset dataset, int? steps = null) => AdaptBatches(AdaptData.Batches(Name, dataset, steps));

        private void AdaptBatches(IEnumerable<Tensor> batches) => AdaptCounts(batches.SelectMany(batch =>
        {
            using var ids = NF.Cast(CategoricalEncoding.AsInt64(Name, batch), DType.Int64);
            var values = ids.ToArray<long>();
            int rows = ids.Rank < 2 ? 1 : ids.Shape[0], perRow = rows == 0 ? 0 : values.Length / rows;
            return Enumerable.Range(0, rows).Select(r => values.Skip(r * perRow).Take(perRow));
        }), Comparer<long>.Default);

        private protected override void VocabularyChanged() => _positions = null;

        private protected override JsonNode TokenNode(long token) => token;

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            var ids = CategoricalEncoding.AsInt64(Name, x);
            return Invert ? Inverted(ids) : Looked(ids);
        }

        private Tensor Looked(Tensor ids)
        {
            CheckEncodable();
            Tensor lookups;
            Tensor? found = null;
            if (_tokens.Length == 0) lookups = NF.Fill(ids.Shape, -1, DType.Int64);
            else
            {
                var (inVocabulary, position) = Find(ids);
                found = inVocabulary;
                lookups = NF.Where(found, position + (long)TokenStart, -1L);
            }
            var isMask = MaskToken is { } mask ? NF.Equal(ids, mask) : null;
            if (NumOovIndices == 0)
            {
                var unknown = found is null ? NF.Fill(ids.Shape, 1, DType.Bool) : NF.LogicalNot(found);
                var oov = isMask is null ? unknown : NF.LogicalAnd(unknown, NF.LogicalNot(isMask));
                CategoricalEncoding.CheckNone(oov, n => OovError(n, ids.Shape));
            }
            else
            {
                var oovIndex = NumOovIndices == 1 ? (Tensor)(long)OovStart : NF.FloorMod(ids, (long)NumOovIndices) + (long)OovStart;
                lookups = found is null ? NF.BroadcastTo(oovIndex, ids.Shape) : NF.Where(found, lookups, oovIndex);
            }
            // The mask gets index 0 in "int" mode; encoded, it marks no slot (Keras drops it).
            if (isMask is not null) lookups = NF.Where(isMask, OutputMode == "int" ? 0L : -1L, lookups);
            return Encoded(lookups);
        }

        // The comparison cells above which a lookup runs on the host (16 MB of bools).
        private const long HostLookupLimit = 1L << 24;
        private Dictionary<long, long>? _positions;

        // Whether each token is in the vocabulary, and where: by comparing it with the whole
        // vocabulary on the device (a replayed step repeats it), or, when that comparison would
        // hold more than HostLookupLimit cells (a large vocabulary), by a dictionary on the host
        // (the step then runs eagerly: a replay cannot repeat a host lookup).
        private (Tensor Found, Tensor Position) Find(Tensor ids)
        {
            if (ids.Count * _tokens.Length <= HostLookupLimit)
            {
                var equal = NF.Equal(NF.ExpandDims(ids, -1), NF.Constant(_tokens));
                return (NF.ReduceAny(equal, -1), NF.ArgMax(equal, -1));
            }
            var positions = _positions ??= _tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => (long)p.i);
            var found = ids.ToArray<long>().Select(t => positions.TryGetValue(t, out long at) ? at : -1L).ToArray();
            var position = NF.Constant(found, ids.Shape);
            return (NF.GreaterEqual(position, 0L), NF.Maximum(position, 0L));
        }

        // Index -> token: the vocabulary's indices give their tokens, index 0 the mask token (if
        // any), every other index the OOV token.
        private Tensor Inverted(Tensor ids)
        {
            Tensor tokens = NF.BroadcastTo(NF.Constant(OovToken), ids.Shape);
            if (_tokens.Length > 0)
            {
                var inside = NF.LogicalAnd(NF.GreaterEqual(ids, (long)TokenStart), NF.Less(ids, (long)VocabularySize()));
                var at = NF.Clip(ids - (long)TokenStart, 0L, (long)(_tokens.Length - 1));
                tokens = NF.Where(inside, NF.Gather(NF.Constant(_tokens), at), tokens);
            }
            if (MaskToken is { } mask) tokens = NF.Where(NF.Equal(ids, 0L), mask, tokens);
            return tokens;
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["vocabulary_dtype"] = "int64";
            return c;
        }

        // The loader's: a vocabulary from a file is adaptable again when the saved layer was.
        internal IntegerLookup AdaptableAgain(bool hasInputVocabulary)
        {
            _hasInputVocabulary = hasInputVocabulary;
            return this;
        }
    }
}
