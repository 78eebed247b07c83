using System.Text;
using System.Text.Json.Nodes;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Maps string tokens to contiguous indices (<c>keras.layers.StringLookup</c>), with
    /// IntegerLookup's index layout, checks, adapting and encodings (<see cref="IndexLookup{TToken}"/>):
    /// the mask token at 0 (when given, in "int" mode), the OOV indices (several: a token goes to
    /// OOV index FarmHash64(token) mod NumOovIndices, or SipHash with a <c>salt</c>, as Keras'
    /// to_hash_bucket_fast/strong), then the vocabulary, given or learned by Adapt (most frequent
    /// first, ties larger token first in UTF-8 byte order, as Keras' numpy sort).
    /// <para>
    /// NeuralFlow tensors hold no strings, so the layer takes host strings (a <see cref="StringTensor"/>,
    /// a dataset element's text; <see cref="Call(string[])"/>, <see cref="Call(string[,])"/>) and returns int64 indices or float encodings; it runs in the
    /// input pipeline, before the model (as Keras recommends for its string layers), and a model
    /// starts at what it returns. The inverse lookup returns host strings (<see cref="CallInverted(Tensor)"/>).
    /// </para>
    /// </summary>
    public sealed partial class StringLookup : IndexLookup<string>, ITextInputLayer
    {
        private Dictionary<string, long>? _positions;
        private readonly (ulong, ulong)? _key;
        private readonly long[]? _salt;

        /// <summary>A lookup of <paramref name="vocabulary"/> (or, when null, of what Adapt learns).</summary>
        public StringLookup(string[]? vocabulary = null, int? maxTokens = null, int numOovIndices = 1, string? maskToken = null, string oovToken = "[UNK]",
                            bool invert = false, string outputMode = "int", bool sparse = false, bool padToMaxTokens = false, string? name = null,
                            double[]? idfWeights = null, long[]? salt = null)
            : base(vocabulary is not null, maxTokens, numOovIndices, maskToken is not null, maskToken ?? "", oovToken ?? throw new ArgumentNullException(nameof(oovToken)),
                   invert, outputMode, sparse, padToMaxTokens, name, idfWeights)
        {
            _key = StringHashes.Key(nameof(StringLookup), salt);
            _salt = salt?.ToArray();
            if (vocabulary is not null) SetVocabulary(vocabulary, idfWeights);
        }

        /// <summary>The token that stands for padding (index 0 in "int" mode), or null.</summary>
        public string? MaskToken => HasMask ? MaskValue : null;

        /// <summary>The token an inverted lookup gives for an unknown index (Keras' default "[UNK]").</summary>
        public string OovToken => OovValue;

        /// <summary>The SipHash key of the OOV buckets (one number: used twice), or null for FarmHash.</summary>
        public long[]? Salt => _salt?.ToArray();

        /// <summary>Learns the vocabulary from <paramref name="tokens"/>, each its own document for "tf_idf" (Keras' adapt of a list).</summary>
        public void Adapt(IEnumerable<string> tokens) => Adapt(Checked(tokens).Select(t => new[] { t }));

        /// <summary>Learns the vocabulary from a batch of token rows, each row a document for "tf_idf".</summary>
        public void Adapt(string[,] rows) => Adapt(Rows(rows));

        /// <summary>Learns the vocabulary from <paramref name="documents"/>, token lists of any lengths (a dataset read batch by batch).</summary>
        public void Adapt(IEnumerable<IReadOnlyList<string>> documents) => AdaptCounts(Checked(documents).Select(d => Checked(d)), Utf8Order.Instance);

        /// <summary>
        /// Learns the vocabulary from a string tensor (Keras' adapt of a <c>tf.string</c> tensor):
        /// each token of a scalar or vector its own document for "tf_idf", each row of a matrix one document.
        /// </summary>
        public void Adapt(StringTensor tokens) => Adapt(Documents(tokens ?? throw new ArgumentNullException(nameof(tokens))));

        /// <summary>
        /// Learns the vocabulary from a dataset of tokens (Keras' <c>adapt(dataset)</c>), batch by
        /// batch as <see cref="Adapt(StringTensor)"/> reads one: all of one pass, or the first
        /// <paramref name="steps"/> batches (which an infinite dataset needs).
        /// </summary>
        public void Adapt(Dataset<StringTensor> tokens, int? steps = null) => Adapt(AdaptData.StringBatches(Name, tokens, steps).SelectMany(Documents));

        /// <summary>The indices (or encodings) of a list of tokens: shape [n] in "int" and "one_hot" mode, one sample of [depth] otherwise.</summary>
        public Tensor Call(string[] tokens)
        {
            ArgumentNullException.ThrowIfNull(tokens);
            return Encoded(NF.Constant(Indices(tokens, tokens.Length), [tokens.Length]));
        }

        /// <summary>The indices (or encodings) of a batch of token rows: [rows, columns] in "int" mode, [rows, depth] encoded.</summary>
        public Tensor Call(string[,] tokens)
        {
            ArgumentNullException.ThrowIfNull(tokens);
            return Encoded(NF.Constant(Indices(tokens.Cast<string>().ToArray(), tokens.Length), [tokens.GetLength(0), tokens.GetLength(1)]));
        }

        /// <summary>The indices (or encodings) of a string tensor, as Keras calls the layer on <c>tf.string</c>: the input's shape in "int" mode.</summary>
        public Tensor Call(StringTensor tokens)
        {
            ArgumentNullException.ThrowIfNull(tokens);
            return Encoded(NF.Constant(Indices(tokens.Values, tokens.Count), tokens.Shape));
        }

        /// <summary>Always: it has no weights to make, so a model that starts with it saves before any call.</summary>
        public override bool Built => true;

        Tensor ITextInputLayer.CallText(StringTensor texts) => Call(texts);

        // Probed on a token it knows: its encodings' rules stay in one place (Encoded).
        (int?[] Shape, DType DType) ITextInputLayer.TextOutputSpec(IReadOnlyList<int?> inputShape) =>
            ITextInputLayer.ProbedSpec(Call, inputShape, _tokens.Length > 0 ? _tokens[0] : OovValue);

        /// <summary>On a text input (<c>Layers.Input(..., dtype: DType.String)</c>): the output spec, without a probe on zeros, which strings have none of.</summary>
        private protected override (int?[] Shape, DType DType)[]? OwnOutputSpec(KerasTensor[] inputs) =>
            inputs is [{ DType: DType.String } text] ? [((ITextInputLayer)this).TextOutputSpec(text.Shape)] : null;

        /// <summary>Tensors hold no strings: refuses with the way to call the layer.</summary>
        protected override Tensor Forward(Tensor x) => throw new NotSupportedException(
            $"{Name}: StringLookup maps host strings, and NeuralFlow tensors hold none: call it with Call(StringTensor), Call(string[]) or Call(string[,]) in the input pipeline " +
            (Invert ? "(the inverse lookup: CallInverted(indices)), " : "") + "and start the model at the indices it returns.");

        /// <summary>
        /// Index -> token (<see cref="IndexLookup{TToken}.Invert"/> only): the strings of int <paramref name="indices"/>
        /// in a string tensor of the indices' shape, as Keras' inverted layer returns a <c>tf.string</c> tensor of its
        /// input's shape (so <c>tf.strings.reduce_join(chars_from_ids(ids), axis=-1)</c> joins each row); unknown
        /// indices give <see cref="OovToken"/>. <c>.ToArray()</c> reads the strings row-major.
        /// </summary>
        public StringTensor CallInverted(Tensor indices)
        {
            ArgumentNullException.ThrowIfNull(indices);
            return StringTensor.Wrap(InvertedTokens(indices), indices.Shape);
        }

        // The token of each index, row-major.
        private string[] InvertedTokens(Tensor indices)
        {
            if (!Invert) throw new InvalidOperationException($"{Name}: CallInverted needs a layer made with invert: true.");
            using var ids = NF.Cast(CategoricalEncoding.AsInt64(Name, indices), DType.Int64);
            return ids.ToArray<long>().Select(i =>
                HasMask && i == 0 ? MaskValue : i >= TokenStart && i < VocabularySize() ? _tokens[i - TokenStart] : OovValue).ToArray();
        }

        /// <summary>Index -> token for a batch of index rows (Keras' docstring's <c>layer([[1, 3, 4], [4, 0, 2]])</c>).</summary>
        public string[,] CallInverted(long[,] indices)
        {
            ArgumentNullException.ThrowIfNull(indices);
            using var ids = NF.Constant(indices.Cast<long>().ToArray(), [indices.GetLength(0), indices.GetLength(1)]);
            var flat = InvertedTokens(ids);
            var rows = new string[indices.GetLength(0), indices.GetLength(1)];
            for (int i = 0; i < flat.Length; i++) rows[i / rows.GetLength(1), i % rows.GetLength(1)] = flat[i];
            return rows;
        }

        /// <summary>
        /// The looked-up index of each token (-1: the mask outside "int" mode, which marks no slot);
        /// what TextVectorization encodes. Unknown tokens go to their OOV bucket, or raise when there is none.
        /// </summary>
        internal long[] Indices(IReadOnlyList<string> tokens, long count)
        {
            if (Invert) throw new InvalidOperationException($"{Name}: an inverted StringLookup maps indices to strings: call CallInverted(indices).");
            CheckEncodable();
            var positions = _positions ??= _tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => (long)p.i);
            var indices = new long[tokens.Count];
            long unknown = 0;
            for (int i = 0; i < indices.Length; i++)
            {
                string token = tokens[i] ?? throw new ArgumentException($"{Name}: the input holds a null string (at {i}).", "inputs");
                if (HasMask && token == MaskValue) indices[i] = OutputMode == "int" ? 0 : -1;
                else if (positions.TryGetValue(token, out long at)) indices[i] = at + TokenStart;
                else if (NumOovIndices == 0) unknown++;
                else indices[i] = OovStart + (NumOovIndices == 1 ? 0 : StringHashes.Bucket(token, NumOovIndices, _key));
            }
            if (unknown > 0) throw new ArgumentOutOfRangeException("inputs", OovError(unknown, new Shape(checked((int)count))));
            return indices;
        }

        /// <summary>The layer's output for looked-up indices (TextVectorization's encoding of its padded rows).</summary>
        internal Tensor EncodeIndices(Tensor indices) => Encoded(indices);

        private protected override void VocabularyChanged() => _positions = null;

        private protected override JsonNode TokenNode(string token) => token;

        /// <summary>
        /// The layer <paramref name="config"/> (a <see cref="GetConfig"/>, vocabulary included) rebuilds
        /// (Keras' <c>from_config</c>): how to keep a layer of the input pipeline, which no model holds.
        /// </summary>
        public static StringLookup FromConfig(JsonObject config) => KerasSerialization.FromConfig<StringLookup>(config);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["encoding"] = "utf-8";
            c["salt"] = _salt is null ? null : new JsonArray(_salt.Select(s => (JsonNode)s).ToArray());
            c["vocabulary_dtype"] = "string";
            return c;
        }

        // The loader's: a vocabulary from a file is adaptable again when the saved layer was.
        internal StringLookup AdaptableAgain(bool hasInputVocabulary)
        {
            _hasInputVocabulary = hasInputVocabulary;
            return this;
        }

        private IEnumerable<T> Checked<T>(IEnumerable<T> items) => (items ?? throw new ArgumentNullException(nameof(items))).Select(
            (t, i) => t ?? throw new ArgumentException($"{Name}: Adapt's data holds a null (at {i}).", "data"));

        // A string tensor's documents: each token of a scalar or vector alone, else each row along the last axis.
        private static IEnumerable<IReadOnlyList<string>> Documents(StringTensor tokens)
        {
            int width = tokens.Rank < 2 ? 1 : tokens.Shape[-1];
            var values = tokens.Values;
            for (int at = 0; width > 0 && at < tokens.Count; at += width)
            {
                var document = new string[width];
                for (int i = 0; i < width; i++) document[i] = values[at + i];
                yield return document;
            }
        }

        private static IEnumerable<IReadOnlyList<string>> Rows(string[,] rows)
        {
            ArgumentNullException.ThrowIfNull(rows);
            for (int r = 0; r < rows.GetLength(0); r++)
                yield return Enumerable.Range(0, rows.GetLength(1)).Select(c => rows[r, c]).ToArray();
        }
    }
}

/// <summary>Strings in the order of their UTF-8 bytes (numpy's sort of Keras' byte strings), which UTF-16's ordinal order is not past U+FFFF.</summary>
internal sealed class Utf8Order : IComparer<string>
{
    internal static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y) =>
        ((ReadOnlySpan<byte>)Encoding.UTF8.GetBytes(x ?? "")).SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
}
