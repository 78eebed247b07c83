using System.Text.Json.Nodes;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Maps integer tokens to contiguous indices (<c>keras.layers.IntegerLookup</c>), with Keras'
    /// index layout: the mask token at 0 (when given, in "int" mode), then the
    /// <see cref="NumOovIndices"/> out-of-vocabulary indices, then the vocabulary in its order
    /// (given, or learned by <see cref="Adapt(Tensor)"/>: most frequent first, ties larger token
    /// first). With several OOV indices a token goes to OOV index <c>token mod NumOovIndices</c>;
    /// with none, an unknown token raises. <see cref="Invert"/> maps indices back to tokens
    /// (unknown indices give <see cref="OovToken"/>). "one_hot", "multi_hot" and "count" encode
    /// the indices over the vocabulary size (the mask token, if any, is dropped); "tf_idf" weights
    /// the counts by <see cref="IdfWeights"/> (given with the vocabulary, or learned by Adapt as
    /// log(1 + documents / (1 + documents holding the token)), each row a document; the OOV slots
    /// take the mean weight unless given). Keras' vocabulary files are not offered. Tokens are compared with the whole vocabulary
    /// on the device while inputs x vocabulary stays under 16M cells; larger lookups run on the host.
    /// </summary>
    public sealed class IntegerLookup : Layer
    {
        private long[] _tokens = [];
        private bool _hasInputVocabulary;
        private double[]? _idfWeights;

        // The modes this layer takes: the shared encodings and, for IntegerLookup alone, "tf_idf".
        private static readonly string[] OutputModes = [.. CategoricalEncoding.Modes, "tf_idf"];

        /// <summary>A lookup of <paramref name="vocabulary"/> (or, when null, of what <see cref="Adapt(Tensor)"/> learns).</summary>
        public IntegerLookup(long[]? vocabulary = null, int? maxTokens = null, int numOovIndices = 1, long? maskToken = null, long oovToken = -1,
                             bool invert = false, string outputMode = "int", bool sparse = false, bool padToMaxTokens = false, string? name = null,
                             double[]? idfWeights = null)
            : base(name)
        {
            if (maxTokens is <= 1)
                throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"IntegerLookup: if set, max_tokens must be greater than 1. Received: max_tokens={maxTokens}.");
            if (padToMaxTokens && maxTokens is null)
                throw new ArgumentException("IntegerLookup: if pad_to_max_tokens is true, max_tokens must be set.", nameof(maxTokens));
            if (numOovIndices < 0)
                throw new ArgumentOutOfRangeException(nameof(numOovIndices), numOovIndices, $"IntegerLookup: num_oov_indices must be greater than or equal to 0. Received: num_oov_indices={numOovIndices}.");
            OutputMode = CategoricalEncoding.CheckMode("IntegerLookup", outputMode == "tf-idf" ? "tf_idf" : outputMode, OutputModes);
            if (idfWeights is not null && OutputMode != "tf_idf")
                throw new ArgumentException($"IntegerLookup: idf_weights should only be set if output_mode is 'tf_idf'. Received: output_mode={OutputMode}.", nameof(idfWeights));
            if (vocabulary is not null && OutputMode == "tf_idf" && idfWeights is null)
                throw new ArgumentException("IntegerLookup: in TF-IDF output mode, the idf_weights argument must be set with a vocabulary (or Adapt the layer instead).", nameof(idfWeights));
            if (invert && OutputMode != "int")
                throw new ArgumentException($"IntegerLookup: output_mode must be 'int' when invert is true. Received: output_mode={OutputMode}.", nameof(outputMode));
            if (sparse) throw new ArgumentException("IntegerLookup: sparse=true is not supported: NeuralFlow has no sparse tensors.", nameof(sparse));
            MaxTokens = maxTokens;
            NumOovIndices = numOovIndices;
            MaskToken = maskToken;
            OovToken = oovToken;
            Invert = invert;
            PadToMaxTokens = padToMaxTokens;
            if (vocabulary is not null) SetVocabulary(vocabulary, idfWeights);
        }

        /// <summary>The largest vocabulary, mask and OOV indices included (null: no limit).</summary>
        public int? MaxTokens { get; }

        /// <summary>How many indices unknown tokens share (0: unknown tokens raise).</summary>
        public int NumOovIndices { get; }

        /// <summary>The token that stands for padding (index 0 in "int" mode), or null.</summary>
        public long? MaskToken { get; }

        /// <summary>The token an inverted lookup gives for an unknown index (Keras' default -1).</summary>
        public long OovToken { get; }

        /// <summary>Whether the layer maps indices back to tokens.</summary>
        public bool Invert { get; }

        /// <summary>"int", "one_hot", "multi_hot", "count" or "tf_idf".</summary>
        public string OutputMode { get; }

        /// <summary>Whether encoded outputs have <see cref="MaxTokens"/> slots whatever the vocabulary's size.</summary>
        public bool PadToMaxTokens { get; }

        // Keras' _oov_start_index and _token_start_index: the mask holds index 0 in "int" mode only.
        private int OovStart => MaskToken is not null && OutputMode == "int" ? 1 : 0;
        private int TokenStart => OovStart + NumOovIndices;

        /// <summary>
        /// The weight of each "tf_idf" output slot (OOV slots first, then the vocabulary, then zeros
        /// up to MaxTokens with PadToMaxTokens); null in the other modes or before a vocabulary.
        /// </summary>
        public double[]? IdfWeights => _idfWeights?.ToArray();

        /// <summary>The vocabulary's size, mask and OOV indices included (Keras' vocabulary_size()).</summary>
        public int VocabularySize() => TokenStart + _tokens.Length;

        /// <summary>The token at each index: the mask, the OOV indices (as <see cref="OovToken"/>), then the vocabulary; or the vocabulary alone.</summary>
        public long[] GetVocabulary(bool includeSpecialTokens = true) => includeSpecialTokens
            ? [.. Enumerable.Repeat(MaskToken ?? 0, OovStart), .. Enumerable.Repeat(OovToken, NumOovIndices), .. _tokens]
            : _tokens.ToArray();

        /// <summary>
        /// Sets the vocabulary (Keras' <c>set_vocabulary</c>): the tokens in index order, with or
        /// without the mask and OOV tokens at the front in Keras' order. Tokens must be unique and
        /// must not be the mask token. In "tf_idf" mode <paramref name="idfWeights"/> (one per entry of
        /// <paramref name="vocabulary"/>) is required; without the special tokens at the front the
        /// OOV slots take the mean weight (Keras' set_vocabulary).
        /// </summary>
        public void SetVocabulary(long[] vocabulary, double[]? idfWeights = null)
        {
            ArgumentNullException.ThrowIfNull(vocabulary);
            if (vocabulary.Length == 0)
                throw new ArgumentException($"{Name}: cannot set an empty vocabulary.", nameof(vocabulary));
            var special = GetVocabulary()[..TokenStart];
            var tokens = vocabulary.Length >= special.Length && vocabulary[..special.Length].SequenceEqual(special) ? vocabulary[special.Length..] : vocabulary;
            var repeated = tokens.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (repeated.Count > 0)
                throw new ArgumentException($"{Name}: the passed vocabulary has at least one repeated term. Please uniquify your dataset. The repeated terms are: [{string.Join(", ", repeated)}].", nameof(vocabulary));
            if (MaskToken is { } mask && tokens.Contains(mask))
                throw new ArgumentException($"{Name}: found reserved mask token {mask} at unexpected location in vocabulary. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: [{string.Join(", ", special)}].", nameof(vocabulary));
            if (Invert && tokens.Contains(OovToken))
                throw new ArgumentException($"{Name}: found reserved OOV token {OovToken} at unexpected location in vocabulary. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: [{string.Join(", ", special)}].", nameof(vocabulary));
            if (MaxTokens is { } max && TokenStart + tokens.Length > max)
                throw new ArgumentException($"{Name}: attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is {TokenStart + tokens.Length}; max_tokens is {max}.", nameof(vocabulary));
            _idfWeights = CheckedIdfWeights(vocabulary, idfWeights, foundSpecial: tokens.Length != vocabulary.Length);
            _tokens = tokens.ToArray();
            _positions = null;
            _hasInputVocabulary = true;
        }

        // The slot weights of a set vocabulary: the given ones, behind the mean for the OOV slots
        // when the vocabulary came without them, and zeros up to MaxTokens when padded.
        private double[]? CheckedIdfWeights(long[] vocabulary, double[]? idfWeights, bool foundSpecial)
        {
            if (OutputMode != "tf_idf")
                return idfWeights is null ? null : throw new ArgumentException(
                    $"{Name}: idf_weights should only be set if output_mode is 'tf_idf'. Received: output_mode={OutputMode}.", nameof(idfWeights));
            if (idfWeights is null)
                throw new ArgumentException($"{Name}: idf_weights must be set if output_mode is 'tf_idf'.", nameof(idfWeights));
            if (idfWeights.Length != vocabulary.Length)
                throw new ArgumentException($"{Name}: idf_weights must be the same length as vocabulary. len(idf_weights) is {idfWeights.Length}; len(vocabulary) is {vocabulary.Length}.", nameof(idfWeights));
            if (idfWeights.Any(w => !double.IsFinite(w)))
                throw new ArgumentException($"{Name}: idf_weights must be finite numbers.", nameof(idfWeights));
            return Padded(foundSpecial ? idfWeights : [.. Enumerable.Repeat(idfWeights.Average(), TokenStart), .. idfWeights]);
        }

        // Zeros after the weights up to MaxTokens with PadToMaxTokens (Keras' back padding).
        private double[] Padded(double[] weights) =>
            PadToMaxTokens ? [.. weights, .. new double[Math.Max(0, MaxTokens!.Value - weights.Length)]] : weights;

        /// <summary>Learns the vocabulary from every token of <paramref name="data"/>, most frequent first (Keras' <c>adapt</c>).</summary>
        public void Adapt(Tensor data) => AdaptBatches([data ?? throw new ArgumentNullException(nameof(data))]);

        /// <summary>Learns the vocabulary from the batches of a dataset of tokens (the whole pass, or <paramref name="steps"/> batches).</summary>
        public void Adapt(Dataset dataset, int? steps = null) => AdaptBatches(AdaptData.Batches(Name, dataset, steps));

        private void AdaptBatches(IEnumerable<Tensor> batches)
        {
            if (_hasInputVocabulary)
                throw new InvalidOperationException($"{Name}: cannot adapt layer '{Name}' after setting a static vocabulary via the vocabulary argument or SetVocabulary().");
            var counts = new Dictionary<long, long>();
            var documentCounts = new Dictionary<long, long>();
            long documents = 0;
            foreach (var batch in batches)
            {
                using var ids = NF.Cast(CategoricalEncoding.AsInt64(Name, batch), DType.Int64);
                var values = ids.ToArray<long>();
                foreach (long t in values) counts[t] = counts.GetValueOrDefault(t) + 1;
                if (OutputMode != "tf_idf") continue;
                // Keras' documents: the rows of a batch (a rank 0 or 1 batch is one document).
                int rows = ids.Rank < 2 ? 1 : ids.Shape[0], perRow = rows == 0 ? 0 : values.Length / rows;
                for (int r = 0; r < rows; r++)
                    foreach (long t in values.Skip(r * perRow).Take(perRow).Distinct()) documentCounts[t] = documentCounts.GetValueOrDefault(t) + 1;
                documents += rows;
            }
            if (MaskToken is { } mask) counts.Remove(mask);
            counts.Remove(OovToken);
            // Keras sorts by count, then token, and reverses: most frequent first, ties larger token first.
            var tokens = counts.OrderByDescending(p => p.Value).ThenByDescending(p => p.Key).Select(p => p.Key);
            _tokens = (MaxTokens is { } max ? tokens.Take(Math.Max(0, max - TokenStart)) : tokens).ToArray();
            _positions = null;
            if (OutputMode == "tf_idf" && _tokens.Length > 0)
            {
                var idf = _tokens.Select(t => Math.Log(1 + (double)documents / (1 + documentCounts[t]))).ToArray();
                _idfWeights = Padded([.. Enumerable.Repeat(idf.Average(), TokenStart), .. idf]);
            }
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            var ids = CategoricalEncoding.AsInt64(Name, x);
            return Invert ? Inverted(ids) : Encoded(ids);
        }

        private Tensor Encoded(Tensor ids)
        {
            int depth = PadToMaxTokens ? MaxTokens!.Value : VocabularySize();
            if (OutputMode != "int" && !PadToMaxTokens && _tokens.Length == 0)
                throw new InvalidOperationException($"{Name}: when using output_mode '{OutputMode}' and pad_to_max_tokens=false, you must set the layer's vocabulary (or Adapt it) before calling it.");
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
                CategoricalEncoding.CheckNone(oov, n =>
                    $"{Name}: when num_oov_indices=0 all inputs should be in vocabulary, found {n} OOV value(s) in the input of shape {ids.Shape}; consider setting num_oov_indices=1.");
            }
            else
            {
                var oovIndex = NumOovIndices == 1 ? (Tensor)(long)OovStart : NF.FloorMod(ids, (long)NumOovIndices) + (long)OovStart;
                lookups = found is null ? NF.BroadcastTo(oovIndex, ids.Shape) : NF.Where(found, lookups, oovIndex);
            }
            // The mask gets index 0 in "int" mode; encoded, it marks no slot (Keras drops it).
            if (isMask is not null) lookups = NF.Where(isMask, OutputMode == "int" ? 0L : -1L, lookups);
            if (OutputMode == "int") return NF.Cast(lookups, DType.Int64);
            if (OutputMode != "tf_idf") return CategoricalEncoding.Encode(Name, lookups, OutputMode, depth, VariableDType);
            if (_idfWeights is null)
                throw new InvalidOperationException($"{Name}: output_mode 'tf_idf' needs a vocabulary with idf_weights (or Adapt) before the layer is called.");
            var counts = CategoricalEncoding.Encode(Name, lookups, "count", depth, VariableDType);
            return counts * NF.Cast(NF.Constant(_idfWeights), VariableDType);
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
            c["invert"] = Invert;
            c["max_tokens"] = MaxTokens;
            c["num_oov_indices"] = NumOovIndices;
            c["oov_token"] = OovToken;
            c["mask_token"] = MaskToken;
            c["output_mode"] = OutputMode;
            c["sparse"] = false;
            c["pad_to_max_tokens"] = PadToMaxTokens;
            c["vocabulary_dtype"] = "int64";
            // The adapted vocabulary too (Keras keeps it in the model's assets), so a loaded layer maps as the saved one;
            // in "tf_idf" mode with its OOV tokens in front, so that the OOV slots' weights load as saved.
            var idf = _idfWeights?[..(TokenStart + _tokens.Length)];
            long[] saved = idf is null ? _tokens : GetVocabulary()[OovStart..];
            c["idf_weights"] = idf is null ? null : new JsonArray(idf.Select(w => (JsonNode)w).ToArray());
            c["vocabulary"] = _tokens.Length == 0 ? null : new JsonArray(saved.Select(t => (JsonNode)t).ToArray());
            c["vocabulary_size"] = VocabularySize();
            c["has_input_vocabulary"] = _hasInputVocabulary;
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
