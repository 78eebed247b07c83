using System.Text;
using System.Text.Json.Nodes;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Turns texts into token indices or vectors (<c>keras.layers.TextVectorization</c>): each text
    /// is standardized ("lower_and_strip_punctuation", "lower", "strip_punctuation", null for none,
    /// or a C# function; Keras lowercases ASCII letters only and strips the 32 ASCII punctuation
    /// marks), split ("whitespace": runs of ASCII whitespace, "character": Unicode code points,
    /// null for none, or a C# function), joined into n-grams (widths 1..<c>ngrams</c> or the
    /// given <c>ngramWidths</c>, words joined by a space, each width in turn), then looked up in
    /// a StringLookup with the mask "" and one OOV index "[UNK]" (given vocabulary, or learned by
    /// <see cref="Adapt(IEnumerable{string})"/>). "int" gives each text's token indices, padded
    /// with 0 to the longest text of the batch or to <see cref="OutputSequenceLength"/> (longer
    /// texts cut); "multi_hot", "count" and "tf_idf" give one vector per text.
    /// <para>
    /// NeuralFlow tensors hold no strings, so the layer takes host strings (a <see cref="StringTensor"/>,
    /// <see cref="Call(string[])"/>, or a batch x 1 <see cref="Call(string[,])"/>) and runs in the
    /// input pipeline, as Keras recommends (<c>dataset.map(vectorize_layer)</c>):
    /// <c>vectorize.Adapt(ds.Map((x, y) =&gt; x))</c>, then <c>ds.Map((x, y) =&gt; (vectorize.Call(x), y))</c>
    /// over a dataset of texts and labels, whose int64 indices feed a model that starts with an
    /// Embedding. Calling it on a tensor raises with that advice.
    /// </para>
    /// <para>
    /// First in a model (Keras' export model <c>Sequential([vectorize_layer, model, Activation("sigmoid")])</c>,
    /// or called on <c>Layers.Input([1], dtype: DType.String)</c>), it lets the model take raw strings:
    /// Fit, Evaluate and Predict accept a <see cref="StringTensor"/>, a <c>string[]</c> or a dataset of
    /// texts, and run the layer on each batch of texts on the host before the model's tensor steps
    /// (texts given in memory are vectorized together, as one batch).
    /// </para>
    /// </summary>
    public sealed class TextVectorization : Layer, ITextInputLayer
    {
        /// <summary>False: this layer's inputs are values to look up or count, not activations; under a mixed global policy it keeps <see cref="Config.FloatX"/>'s (Keras sets its dtype itself).</summary>
        private protected override bool TakesMixedPolicy => false;

        private static readonly string[] Standardizations = ["lower_and_strip_punctuation", "lower", "strip_punctuation"];
        private static readonly string[] Splits = ["whitespace", "character"];
        private readonly StringLookup _lookup;
        private readonly Func<string, string>? _standardizeFunction;
        private readonly Func<string, IEnumerable<string>>? _splitFunction;
        private readonly int? _ngrams;
        private readonly int[]? _ngramWidths;

        /// <summary>A vectorizer of <paramref name="vocabulary"/> (or, when null, of what Adapt learns); see the class for the steps.</summary>
        public TextVectorization(int? maxTokens = null, string? standardize = "lower_and_strip_punctuation", string? split = "whitespace",
                                 int? ngrams = null, string outputMode = "int", int? outputSequenceLength = null, bool padToMaxTokens = false,
                                 string[]? vocabulary = null, double[]? idfWeights = null, bool sparse = false, bool ragged = false, string? name = null,
                                 Func<string, string>? standardizeFunction = null, Func<string, IEnumerable<string>>? splitFunction = null, int[]? ngramWidths = null)
            : base(name)
        {
            Standardize = standardize is null or "none" ? null : Standardizations.Contains(standardize) ? standardize : throw new ArgumentException(
                $"TextVectorization: unknown standardize '{standardize}'; it must be one of 'lower_and_strip_punctuation', 'lower', 'strip_punctuation', null (none), or a standardizeFunction.", nameof(standardize));
            Split = split is null or "none" ? null : Splits.Contains(split) ? split : throw new ArgumentException(
                $"TextVectorization: unknown split '{split}'; it must be one of 'whitespace', 'character', null (none), or a splitFunction.", nameof(split));
            if (standardizeFunction is not null && Standardize is not null && standardize != "lower_and_strip_punctuation")
                throw new ArgumentException($"TextVectorization: give either standardize '{standardize}' or a standardizeFunction, not both.", nameof(standardizeFunction));
            if (splitFunction is not null && Split is not null && split != "whitespace")
                throw new ArgumentException($"TextVectorization: give either split '{split}' or a splitFunction, not both.", nameof(splitFunction));
            // A function replaces the named step (the defaults stand aside for it, as Keras' callable does).
            _standardizeFunction = standardizeFunction;
            _splitFunction = splitFunction;
            if (standardizeFunction is not null) Standardize = null;
            if (splitFunction is not null) Split = null;
            if (ngrams is not null && ngramWidths is not null)
                throw new ArgumentException("TextVectorization: give ngrams (widths 1..n) or ngramWidths, not both.", nameof(ngramWidths));
            if (ngrams is < 1 || ngramWidths is not null && (ngramWidths.Length == 0 || ngramWidths.Any(w => w < 1)))
                throw new ArgumentOutOfRangeException(ngrams is < 1 ? nameof(ngrams) : nameof(ngramWidths), $"TextVectorization: n-gram widths must be at least 1. Received: ngrams={ngrams}, ngramWidths=[{string.Join(", ", ngramWidths ?? [])}].");
            _ngrams = ngrams;
            _ngramWidths = ngramWidths?.ToArray();
            OutputMode = CategoricalEncoding.CheckMode(nameof(TextVectorization), outputMode == "binary" ? "multi_hot" : outputMode == "tf-idf" ? "tf_idf" : outputMode,
                                                       [.. CategoricalEncoding.Modes, "tf_idf"]);
            if (outputSequenceLength is not null && OutputMode != "int")
                throw new ArgumentException($"TextVectorization: output_sequence_length must not be set if output_mode is not 'int'. Received output_sequence_length={outputSequenceLength}.", nameof(outputSequenceLength));
            if (outputSequenceLength is < 1)
                throw new ArgumentOutOfRangeException(nameof(outputSequenceLength), outputSequenceLength, "TextVectorization: output_sequence_length must be at least 1.");
            // Keras' own check (its message reads "must not be true if output_mode is 'int'", meaning "is not").
            if (ragged && OutputMode != "int")
                throw new ArgumentException($"TextVectorization: `ragged` must not be true if `output_mode` is `'int'`. Received: ragged=True and output_mode={OutputMode}", nameof(ragged));
            Ragged = ragged;
            OutputSequenceLength = outputSequenceLength;
            _lookup = new StringLookup(vocabulary, maxTokens, 1, "", "[UNK]", false, OutputMode, sparse, padToMaxTokens, Name + "_lookup", idfWeights);
        }

        /// <summary>The named standardization, or null (none, or the standardizeFunction).</summary>
        public string? Standardize { get; }

        /// <summary>The named split, or null (none, or the splitFunction).</summary>
        public string? Split { get; }

        /// <summary>"int", "one_hot", "multi_hot", "count" or "tf_idf".</summary>
        public string OutputMode { get; }

        /// <summary>
        /// Whether "int" ids come as ragged rows (Keras' <c>ragged=True</c>): <see cref="CallRagged(string[])"/> gives the
        /// <see cref="RaggedTensor"/> (each text its own length, cut at <see cref="OutputSequenceLength"/> when set, as Keras);
        /// Call gives the ids padded with 0, and a model after the layer runs on the rows (see README, ragged inputs).
        /// </summary>
        public bool Ragged { get; }

        /// <summary>Each text's ids as a row of a <see cref="RaggedTensor"/> (int64), for a layer made with ragged: true.</summary>
        /// <exception cref="InvalidOperationException">The layer was made without ragged: true.</exception>
        public RaggedTensor CallRagged(string[] texts)
        {
            ArgumentNullException.ThrowIfNull(texts);
            return RaggedIds(texts);
        }

        /// <summary>As <see cref="CallRagged(string[])"/> for a vector or n x 1 column of texts.</summary>
        public RaggedTensor CallRagged(StringTensor texts) => RaggedIds(Texts(texts, out _));

        private RaggedTensor RaggedIds(string[] texts)
        {
            if (!Ragged) throw new InvalidOperationException($"{Name}: CallRagged needs a TextVectorization made with ragged: true (Keras' ragged=True); this one pads its ids (Call).");
            var rows = texts.Select((t, i) => Tokens(t ?? throw new ArgumentException($"{Name}: the input holds a null string (at {i}).", "inputs")))
                            .Select(r => OutputSequenceLength is { } cut && r.Count > cut ? [.. r.Take(cut)] : r).ToArray();
            var ids = _lookup.Indices(rows.SelectMany(r => r).ToArray(), rows.Sum(r => r.Count));
            return RaggedTensor.FromRowLengths(NF.Constant(ids, new Shape(ids.Length)), rows.Select(r => (long)r.Count).ToArray());
        }

        /// <summary>The length "int" outputs are padded or cut to, or null (the batch's longest text).</summary>
        public int? OutputSequenceLength { get; }

        /// <summary>The largest vocabulary, padding and OOV tokens included.</summary>
        public int? MaxTokens => _lookup.MaxTokens;

        /// <summary>The n-gram widths joined from the split tokens (null: the tokens alone).</summary>
        public int[]? NgramWidths => _ngramWidths?.ToArray() ?? (_ngrams is { } n ? Enumerable.Range(1, n).ToArray() : null);

        /// <summary>The tokens by index: "" (padding, in "int" mode), "[UNK]", then the vocabulary; or the vocabulary alone.</summary>
        public string[] GetVocabulary(bool includeSpecialTokens = true) => _lookup.GetVocabulary(includeSpecialTokens);

        /// <summary>The vocabulary's size, padding and OOV tokens included.</summary>
        public int VocabularySize() => _lookup.VocabularySize();

        /// <summary>The "tf_idf" weight of each output slot, or null.</summary>
        public double[]? IdfWeights => _lookup.IdfWeights;

        /// <summary>Sets the vocabulary (and, in "tf_idf" mode, its idf weights), as StringLookup's SetVocabulary.</summary>
        public void SetVocabulary(string[] vocabulary, double[]? idfWeights = null) => _lookup.SetVocabulary(vocabulary, idfWeights);

        /// <summary>Learns the vocabulary from <paramref name="texts"/>, each a document for "tf_idf" (Keras' adapt of a list of strings).</summary>
        public void Adapt(IEnumerable<string> texts)
        {
            ArgumentNullException.ThrowIfNull(texts);
            _lookup.Adapt(texts.Select((t, i) => Tokens(t ?? throw new ArgumentException($"{Name}: Adapt's texts hold a null (at {i}).", nameof(texts)))));
        }

        /// <summary>Learns the vocabulary from a batch x 1 array of texts (Keras' <c>[["foo bar"], ...]</c>).</summary>
        public void Adapt(string[,] texts) => Adapt(Column(texts));

        /// <summary>Learns the vocabulary from a string tensor (Keras' adapt of a <c>tf.string</c> tensor): one text, a vector of texts or a batch x 1 column.</summary>
        public void Adapt(StringTensor texts) => Adapt(Texts(texts, out _));

        /// <summary>
        /// Learns the vocabulary from a dataset of texts (Keras' <c>adapt(dataset)</c>, e.g.
        /// <c>Adapt(ds.Map((x, y) =&gt; x))</c>), batch by batch as they come: all of one pass, or the first
        /// <paramref name="steps"/> batches (which an infinite dataset needs).
        /// </summary>
        public void Adapt(Dataset<StringTensor> texts, int? steps = null) =>
            Adapt(AdaptData.StringBatches(Name, texts, steps).SelectMany(batch => Texts(batch, out _)));

        /// <summary>The indices (or vectors) of <paramref name="texts"/>: [texts, length] in "int" mode, [texts, depth] encoded.</summary>
        public Tensor Call(string[] texts)
        {
            ArgumentNullException.ThrowIfNull(texts);
            return Vectorized(texts, column: false);
        }

        /// <summary>As <see cref="Call(string[])"/> for a batch x 1 array of texts (Keras' docstring's input).</summary>
        public Tensor Call(string[,] texts) => Vectorized(Column(texts), column: true);

        /// <summary>
        /// The indices (or vectors) of a string tensor, as Keras calls the layer on <c>tf.string</c>:
        /// a vector of n texts (a batch) or an n x 1 column gives [n, length] in "int" mode and
        /// [n, depth] encoded; one text (a scalar, an unbatched dataset element) gives [length] or [depth].
        /// </summary>
        public Tensor Call(StringTensor texts)
        {
            var values = Texts(texts, out bool column);
            if (texts.Rank > 0) return Vectorized(values, column);
            using var one = Vectorized(values, column: false);
            return NF.Reshape(one, one.Shape.ToArray()[1..]);
        }

        /// <summary>Always: it has no weights to make (Keras builds it at construction), so a model that starts with it saves before any call.</summary>
        public override bool Built => true;

        Tensor ITextInputLayer.CallText(StringTensor texts) => Call(texts);

        (int?[] Shape, DType DType) ITextInputLayer.TextOutputSpec(IReadOnlyList<int?> inputShape)
        {
            if (inputShape.Count > 2 || inputShape.Count == 2 && inputShape[1] is not (1 or null))
                throw new ArgumentException(
                    $"{Name}: when using TextVectorization to tokenize strings, the input rank must be 1 or the last shape dimension must be 1. Received: inputs.shape={KerasTensor.Format(inputShape)}.", "inputs");
            int? batch = inputShape.Count > 0 ? inputShape[0] : null;
            if (OutputMode != "int") return ([batch, _lookup.PadToMaxTokens ? MaxTokens : VocabularySize()], VariableDType);
            // Without a split each text is one token, kept in the input's own shape (see Vectorized).
            bool oneToken = Split is null && _splitFunction is null && _ngrams is null && _ngramWidths is null && OutputSequenceLength is null;
            return oneToken ? ([.. inputShape], DType.Int64) : ([batch, OutputSequenceLength], DType.Int64);
        }

        /// <summary>On a text input (<c>Layers.Input(..., dtype: DType.String)</c>): the ids' (or encodings') shape, without a probe on zeros, which strings have none of.</summary>
        private protected override (int?[] Shape, DType DType)[]? OwnOutputSpec(KerasTensor[] inputs) =>
            inputs is [{ DType: DType.String } text] ? [((ITextInputLayer)this).TextOutputSpec(text.Shape)] : null;

        /// <summary>Tensors hold no strings: refuses with the way to use the layer.</summary>
        protected override Tensor Forward(Tensor x) => throw new NotSupportedException(
            $"{Name}: TextVectorization takes host strings, and NeuralFlow tensors hold none: call it with Call(StringTensor) or Call(string[]) in the input pipeline " +
            "(as Keras' dataset.map(vectorize_layer)) and start the model at the int64 indices it returns (an Embedding).");

        private Tensor Vectorized(string[] texts, bool column)
        {
            var rows = texts.Select((t, i) => Tokens(t ?? throw new ArgumentException($"{Name}: the input holds a null string (at {i}).", "inputs"))).ToArray();
            // Without a split each text is one token, kept in the input's own shape.
            if (Split is null && _splitFunction is null && _ngrams is null && _ngramWidths is null && OutputSequenceLength is null)
            {
                var indices = _lookup.Indices(rows.Select(r => r[0]).ToArray(), rows.Length);
                Shape shape = column ? new Shape(rows.Length, 1) : new Shape(rows.Length);
                return Encode(NF.Constant(indices, shape));
            }
            // Ragged ids run on padded, their row lengths riding along, so a model after the layer sees the rows.
            if (Ragged) return RaggedInputs.Pad(RaggedIds(texts), Name);
            int width = OutputSequenceLength ?? (rows.Length == 0 ? 0 : rows.Max(r => r.Count));
            // A huge output_sequence_length pads every text to it: refused past one tensor, before the grid
            // is allocated (its int size wrapped: an OverflowException or an IndexOutOfRangeException before).
            if ((long)rows.Length * width > Array.MaxLength)
                throw new ArgumentOutOfRangeException(OutputSequenceLength is null ? "inputs" : "outputSequenceLength",
                    $"{Name}: {rows.Length} texts padded to {width} tokens are {(long)rows.Length * width} indices, more than one tensor holds ({Array.MaxLength}); " +
                    (OutputSequenceLength is null ? "vectorize fewer texts at a time." : "use a smaller output_sequence_length."));
            // Padding: 0 (the mask's index) in "int" mode; -1 (no slot) for the encodings.
            long pad = OutputMode == "int" ? 0 : -1;
            var all = _lookup.Indices(rows.SelectMany(r => r.Take(width)).ToArray(), rows.Sum(r => Math.Min(r.Count, width)));
            var grid = new long[rows.Length * width];
            Array.Fill(grid, pad);
            for (int r = 0, at = 0; r < rows.Length; r++)
                for (int c = 0; c < Math.Min(rows[r].Count, width); c++) grid[r * width + c] = all[at++];
            return Encode(NF.Constant(grid, [rows.Length, width]));
        }

        // The lookup's encoding of the indices (its "int" output is the indices themselves).
        private Tensor Encode(Tensor indices) => _lookup.EncodeIndices(indices);

        // A text's tokens: standardized, split and joined into n-grams.
        private IReadOnlyList<string> Tokens(string text)
        {
            text = Standardized(text);
            IReadOnlyList<string> words = _splitFunction is not null ? (_splitFunction(text) ?? throw new InvalidOperationException($"{Name}: the splitFunction returned null.")).ToArray()
                : Split == "whitespace" ? text.Split(NF.Strings.AsciiWhitespace, StringSplitOptions.RemoveEmptyEntries)
                : Split == "character" ? text.EnumerateRunes().Select(r => r.ToString()).ToArray()
                : [text];
            // ngrams = n joins widths 1..n, but no width past the text's length makes an n-gram: they are
            // not listed, so that a huge n (int.MaxValue) costs what the text's own length does.
            if (_ngrams is { } n) return Ngrams(words, Enumerable.Range(1, Math.Min(n, words.Count)));
            return _ngramWidths is { } widths ? Ngrams(words, widths) : words;
        }

        private string Standardized(string text)
        {
            if (Standardize is "lower" or "lower_and_strip_punctuation")
                text = NF.Strings.AsciiLower(text);
            if (Standardize is "strip_punctuation" or "lower_and_strip_punctuation")
            {
                var kept = new StringBuilder(text.Length);
                foreach (char ch in text) if (!(char.IsAscii(ch) && char.IsPunctuation(ch) || char.IsAscii(ch) && char.IsSymbol(ch))) kept.Append(ch);
                text = kept.ToString();
            }
            return _standardizeFunction is null ? text : _standardizeFunction(text) ?? throw new InvalidOperationException($"{Name}: the standardizeFunction returned null.");
        }

        // tf.strings.ngrams: for each width in turn, every run of that many words joined by a space.
        private static string[] Ngrams(IReadOnlyList<string> words, IEnumerable<int> widths) =>
            widths.SelectMany(w => Enumerable.Range(0, Math.Max(0, words.Count - w + 1)).Select(i => string.Join(' ', words.Skip(i).Take(w)))).ToArray();

        private string[] Column(string[,] texts)
        {
            ArgumentNullException.ThrowIfNull(texts);
            if (texts.GetLength(1) != 1) throw RankError(new Shape(texts.GetLength(0), texts.GetLength(1)), nameof(texts));
            return Enumerable.Range(0, texts.GetLength(0)).Select(r => texts[r, 0]).ToArray();
        }

        // The texts of a string tensor of rank 0, 1 or n x 1 (a column), row by row.
        private string[] Texts(StringTensor texts, out bool column)
        {
            ArgumentNullException.ThrowIfNull(texts);
            column = texts.Rank == 2;
            if (texts.Rank > 2 || column && texts.Shape[1] != 1) throw RankError(texts.Shape, nameof(texts));
            return texts.ToArray();
        }

        private ArgumentException RankError(Shape shape, string parameter) => new(
            $"{Name}: when using TextVectorization to tokenize strings, the input rank must be 1 or the last shape dimension must be 1. Received: inputs.shape={TensorSpec.Format(TensorSpec.Known(shape))}.", parameter);

        /// <summary>
        /// The layer <paramref name="config"/> (a <see cref="GetConfig"/>, vocabulary included) rebuilds
        /// (Keras' <c>from_config</c>): how to keep a layer of the input pipeline, which no model holds.
        /// </summary>
        public static TextVectorization FromConfig(JsonObject config) => KerasSerialization.FromConfig<TextVectorization>(config);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            if (_standardizeFunction is not null || _splitFunction is not null)
                throw new NotSupportedException($"{Name}: its standardize or split is a C# function, which a model file cannot hold; use the named ones, or rebuild the layer and SetVocabulary(GetVocabulary(false)) after loading.");
            var c = base.GetConfig();
            var lookup = _lookup.GetConfig();
            c["max_tokens"] = MaxTokens;
            c["standardize"] = Standardize;
            c["split"] = Split;
            c["ngrams"] = _ngramWidths is not null ? new JsonArray(_ngramWidths.Select(w => (JsonNode)w).ToArray()) : _ngrams;
            c["output_mode"] = OutputMode;
            c["output_sequence_length"] = OutputSequenceLength;
            c["pad_to_max_tokens"] = _lookup.PadToMaxTokens;
            c["sparse"] = false;
            c["ragged"] = Ragged;
            foreach (var key in (string[])["vocabulary", "idf_weights", "vocabulary_size", "has_input_vocabulary"]) c[key] = lookup[key]?.DeepClone();
            c["encoding"] = "utf-8";
            return c;
        }

        // The loader's: a vocabulary from a file is adaptable again when the saved layer was.
        internal TextVectorization AdaptableAgain(bool hasInputVocabulary)
        {
            _lookup.AdaptableAgain(hasInputVocabulary);
            return this;
        }
    }
}
