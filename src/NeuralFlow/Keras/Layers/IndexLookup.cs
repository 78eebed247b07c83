using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// What IntegerLookup and StringLookup share (Keras' <c>IndexLookup</c>): the vocabulary and its
/// index layout (the mask token at 0 in "int" mode, then the <see cref="NumOovIndices"/>
/// out-of-vocabulary indices, then the vocabulary), its checks, learning it by frequency
/// (<c>adapt</c>: most frequent first, ties larger token first), the "tf_idf" weights, the
/// encodings of looked-up indices and the config. The subclasses find the indices of their own
/// kind of token and map indices back to tokens.
/// </summary>
public abstract class IndexLookup<TToken> : Layer where TToken : notnull
{
    /// <summary>False: this layer's inputs are values to look up or count, not activations; under a mixed global policy it keeps <see cref="Config.FloatX"/>'s (Keras sets its dtype itself).</summary>
    private protected override bool TakesMixedPolicy => false;

    private protected TToken[] _tokens = [];
    private protected bool _hasInputVocabulary;
    private double[]? _idfWeights;
    private readonly bool _hasMask;
    private readonly TToken _mask;

    // The modes a lookup takes: the shared encodings and "tf_idf".
    private static readonly string[] OutputModes = [.. CategoricalEncoding.Modes, "tf_idf"];

    /// <summary>Checks the arguments Keras' IndexLookup checks; the subclass then sets the vocabulary, if given.</summary>
    private protected IndexLookup(bool vocabularyGiven, int? maxTokens, int numOovIndices, bool hasMask, TToken maskToken, TToken oovToken,
                                  bool invert, string outputMode, bool sparse, bool padToMaxTokens, string? name, double[]? idfWeights)
        : base(name)
    {
        string kind = GetType().Name;
        if (maxTokens is <= 1)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"{kind}: if set, max_tokens must be greater than 1. Received: max_tokens={maxTokens}.");
        if (padToMaxTokens && maxTokens is null)
            throw new ArgumentException($"{kind}: if pad_to_max_tokens is true, max_tokens must be set.", nameof(maxTokens));
        if (numOovIndices < 0)
            throw new ArgumentOutOfRangeException(nameof(numOovIndices), numOovIndices, $"{kind}: num_oov_indices must be greater than or equal to 0. Received: num_oov_indices={numOovIndices}.");
        OutputMode = CategoricalEncoding.CheckMode(kind, outputMode == "tf-idf" ? "tf_idf" : outputMode, OutputModes);
        if (idfWeights is not null && OutputMode != "tf_idf")
            throw new ArgumentException($"{kind}: idf_weights should only be set if output_mode is 'tf_idf'. Received: output_mode={OutputMode}.", nameof(idfWeights));
        if (vocabularyGiven && OutputMode == "tf_idf" && idfWeights is null)
            throw new ArgumentException($"{kind}: in TF-IDF output mode, the idf_weights argument must be set with a vocabulary (or Adapt the layer instead).", nameof(idfWeights));
        if (invert && OutputMode != "int")
            throw new ArgumentException($"{kind}: output_mode must be 'int' when invert is true. Received: output_mode={OutputMode}.", nameof(outputMode));
        if (sparse) throw new ArgumentException($"{kind}: sparse=true is not supported: NeuralFlow has no sparse tensors.", nameof(sparse));
        MaxTokens = maxTokens;
        NumOovIndices = numOovIndices;
        _hasMask = hasMask;
        _mask = maskToken;
        OovValue = oovToken;
        Invert = invert;
        PadToMaxTokens = padToMaxTokens;
        // The mask and OOV indices come first: a max_tokens below them leaves the vocabulary larger than
        // max_tokens, and a padded encoding of max_tokens slots silently dropped the last OOV indices.
        // (Keras takes it, then keeps a vocabulary past max_tokens by a negative slice.)
        if (maxTokens is { } max && max < TokenStart)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens,
                $"{kind}: max_tokens={max} is smaller than the {TokenStart} indices the mask and OOV tokens take (num_oov_indices={numOovIndices}{(OovStart == 1 ? ", mask_token" : "")}); it must be at least {TokenStart}.");
    }

    /// <summary>The largest vocabulary, mask and OOV indices included (null: no limit).</summary>
    public int? MaxTokens { get; }

    /// <summary>How many indices unknown tokens share (0: unknown tokens raise).</summary>
    public int NumOovIndices { get; }

    /// <summary>Whether the layer maps indices back to tokens.</summary>
    public bool Invert { get; }

    /// <summary>"int", "one_hot", "multi_hot", "count" or "tf_idf".</summary>
    public string OutputMode { get; }

    /// <summary>Whether encoded outputs have <see cref="MaxTokens"/> slots whatever the vocabulary's size.</summary>
    public bool PadToMaxTokens { get; }

    /// <summary>The mask token, when the layer has one.</summary>
    private protected bool HasMask => _hasMask;
    private protected TToken MaskValue => _mask;

    /// <summary>The token an inverted lookup gives for an unknown index.</summary>
    private protected TToken OovValue { get; }

    // Keras' _oov_start_index and _token_start_index: the mask holds index 0 in "int" mode only.
    internal int OovStart => _hasMask && OutputMode == "int" ? 1 : 0;
    internal int TokenStart => OovStart + NumOovIndices;

    /// <summary>
    /// The weight of each "tf_idf" output slot (OOV slots first, then the vocabulary, then zeros
    /// up to MaxTokens with PadToMaxTokens); null in the other modes or before a vocabulary.
    /// </summary>
    public double[]? IdfWeights => _idfWeights?.ToArray();

    /// <summary>The vocabulary's size, mask and OOV indices included (Keras' vocabulary_size()).</summary>
    public int VocabularySize() => TokenStart + _tokens.Length;

    /// <summary>The token at each index: the mask, the OOV indices (as the OOV token), then the vocabulary; or the vocabulary alone.</summary>
    public TToken[] GetVocabulary(bool includeSpecialTokens = true) => includeSpecialTokens
        ? [.. Enumerable.Repeat(_mask, OovStart), .. Enumerable.Repeat(OovValue, NumOovIndices), .. _tokens]
        : _tokens.ToArray();

    /// <summary>
    /// Sets the vocabulary (Keras' <c>set_vocabulary</c>): the tokens in index order, with or
    /// without the mask and OOV tokens at the front in Keras' order. Tokens must be unique and
    /// must not be the mask token. In "tf_idf" mode <paramref name="idfWeights"/> (one per entry of
    /// <paramref name="vocabulary"/>) is required; without the special tokens at the front the
    /// OOV slots take the mean weight (Keras' set_vocabulary).
    /// </summary>
    public void SetVocabulary(TToken[] vocabulary, double[]? idfWeights = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Length == 0)
            throw new ArgumentException($"{Name}: cannot set an empty vocabulary.", nameof(vocabulary));
        if (Array.FindIndex(vocabulary, t => t is null) is var hole and >= 0)
            throw new ArgumentException($"{Name}: the vocabulary holds a null (at {hole}).", nameof(vocabulary));
        var special = GetVocabulary()[..TokenStart];
        var tokens = vocabulary.Length >= special.Length && vocabulary[..special.Length].SequenceEqual(special) ? vocabulary[special.Length..] : vocabulary;
        var repeated = tokens.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
            throw new ArgumentException($"{Name}: the passed vocabulary has at least one repeated term. Please uniquify your dataset. The repeated terms are: [{string.Join(", ", repeated.Select(Show))}].", nameof(vocabulary));
        if (_hasMask && tokens.Contains(_mask))
            throw new ArgumentException($"{Name}: found reserved mask token {Show(_mask)} at unexpected location in vocabulary. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: [{string.Join(", ", special.Select(Show))}].", nameof(vocabulary));
        if (Invert && tokens.Contains(OovValue))
            throw new ArgumentException($"{Name}: found reserved OOV token {Show(OovValue)} at unexpected location in vocabulary. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: [{string.Join(", ", special.Select(Show))}].", nameof(vocabulary));
        if (MaxTokens is { } max && TokenStart + tokens.Length > max)
            throw new ArgumentException($"{Name}: attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is {TokenStart + tokens.Length}; max_tokens is {max}.", nameof(vocabulary));
        _idfWeights = CheckedIdfWeights(vocabulary, idfWeights, foundSpecial: tokens.Length != vocabulary.Length);
        _tokens = tokens.ToArray();
        VocabularyChanged();
        _hasInputVocabulary = true;
    }

    // A token in an error message: strings quoted, so that the empty mask token of TextVectorization shows.
    private static string Show(TToken token) => token is string s ? $"'{s}'" : token.ToString() ?? "";

    /// <summary>Drops what a subclass derived from the old vocabulary (its lookup tables).</summary>
    private protected abstract void VocabularyChanged();

    // The slot weights of a set vocabulary: the given ones, behind the mean for the OOV slots
    // when the vocabulary came without them, and zeros up to MaxTokens when padded.
    private double[]? CheckedIdfWeights(TToken[] vocabulary, double[]? idfWeights, bool foundSpecial)
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

    /// <summary>
    /// Learns the vocabulary from <paramref name="documents"/> (Keras' documents for "tf_idf":
    /// the rows of its batches). Ties in frequency go to the larger token in
    /// <paramref name="order"/> (Keras sorts by count, then token, and reverses).
    /// </summary>
    private protected void AdaptCounts(IEnumerable<IEnumerable<TToken>> documents, IComparer<TToken> order)
    {
        if (_hasInputVocabulary)
            throw new InvalidOperationException($"{Name}: cannot adapt layer '{Name}' after setting a static vocabulary via the vocabulary argument or SetVocabulary().");
        var counts = new Dictionary<TToken, long>();
        var documentCounts = new Dictionary<TToken, long>();
        long documentTotal = 0;
        foreach (var document in documents)
        {
            var seen = new HashSet<TToken>();
            foreach (var t in document)
            {
                counts[t] = counts.GetValueOrDefault(t) + 1;
                if (seen.Add(t)) documentCounts[t] = documentCounts.GetValueOrDefault(t) + 1;
            }
            documentTotal++;
        }
        if (_hasMask) counts.Remove(_mask);
        counts.Remove(OovValue);
        var tokens = counts.OrderByDescending(p => p.Value).ThenByDescending(p => p.Key, order).Select(p => p.Key);
        _tokens = (MaxTokens is { } max ? tokens.Take(Math.Max(0, max - TokenStart)) : tokens).ToArray();
        VocabularyChanged();
        if (OutputMode == "tf_idf" && _tokens.Length > 0)
        {
            var idf = _tokens.Select(t => Math.Log(1 + (double)documentTotal / (1 + documentCounts[t]))).ToArray();
            _idfWeights = Padded([.. Enumerable.Repeat(idf.Average(), TokenStart), .. idf]);
        }
    }

    /// <summary>The error for <paramref name="count"/> unknown tokens when <see cref="NumOovIndices"/> is 0.</summary>
    private protected string OovError(long count, Shape shape) =>
        $"{Name}: when num_oov_indices=0 all inputs should be in vocabulary, found {count} OOV value(s) in the input of shape {shape}; consider setting num_oov_indices=1.";

    /// <summary>Refuses an encoding mode before the vocabulary is known (its depth is not).</summary>
    private protected void CheckEncodable()
    {
        if (OutputMode != "int" && !PadToMaxTokens && _tokens.Length == 0)
            throw new InvalidOperationException($"{Name}: when using output_mode '{OutputMode}' and pad_to_max_tokens=false, you must set the layer's vocabulary (or Adapt it) before calling it.");
    }

    /// <summary>
    /// The layer's output for looked-up int64 indices (-1: no slot, as the mask in the encoding
    /// modes): the indices in "int" mode, else their encoding over the vocabulary's size (or
    /// MaxTokens when padded), "tf_idf" counts weighted by <see cref="IdfWeights"/>.
    /// </summary>
    private protected Tensor Encoded(Tensor lookups)
    {
        if (OutputMode == "int") return NF.Cast(lookups, DType.Int64);
        int depth = PadToMaxTokens ? MaxTokens!.Value : VocabularySize();
        if (OutputMode != "tf_idf") return CategoricalEncoding.Encode(Name, lookups, OutputMode, depth, VariableDType);
        if (_idfWeights is null)
            throw new InvalidOperationException($"{Name}: output_mode 'tf_idf' needs a vocabulary with idf_weights (or Adapt) before the layer is called.");
        var counts = CategoricalEncoding.Encode(Name, lookups, "count", depth, VariableDType);
        return counts * NF.Cast(NF.Constant(_idfWeights), VariableDType);
    }

    /// <summary>A token as the config writes it.</summary>
    private protected abstract JsonNode TokenNode(TToken token);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["invert"] = Invert;
        c["max_tokens"] = MaxTokens;
        c["num_oov_indices"] = NumOovIndices;
        c["oov_token"] = TokenNode(OovValue);
        c["mask_token"] = _hasMask ? TokenNode(_mask) : null;
        c["output_mode"] = OutputMode;
        c["sparse"] = false;
        c["pad_to_max_tokens"] = PadToMaxTokens;
        // The adapted vocabulary too (Keras keeps it in the model's assets), so a loaded layer maps as the saved one;
        // in "tf_idf" mode with its OOV tokens in front, so that the OOV slots' weights load as saved.
        var idf = _idfWeights?[..(TokenStart + _tokens.Length)];
        TToken[] saved = idf is null ? _tokens : GetVocabulary()[OovStart..];
        c["idf_weights"] = idf is null ? null : new JsonArray(idf.Select(w => (JsonNode)w).ToArray());
        c["vocabulary"] = _tokens.Length == 0 ? null : new JsonArray(saved.Select(TokenNode).ToArray());
        c["vocabulary_size"] = VocabularySize();
        c["has_input_vocabulary"] = _hasInputVocabulary;
        return c;
    }
}
