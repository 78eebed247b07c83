namespace NeuralFlow.Keras;

/// <summary>
/// The x or y of <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c>: one tensor, or one per input
/// (output) of a model of several, as a tuple, an array, a list or a dictionary keyed by the
/// input's (output layer's) name, as Keras' nested structures. It converts implicitly from each,
/// so <c>model.Fit(x, y)</c>, <c>model.Fit((images, extras), labels)</c> and
/// <c>model.Fit(new Dictionary&lt;string, Tensor&gt; { ["image"] = images, ... }, labels)</c> all read alike,
/// and so does a collection expression, <c>model.Fit(x, [labels, boxes])</c> (Keras' list of targets).
/// </summary>
[System.Runtime.CompilerServices.CollectionBuilder(typeof(ModelData), nameof(Create))]
public readonly struct ModelData
{
    /// <summary>Tensors in order: what a collection expression (<c>[a, b]</c>) builds.</summary>
    public static ModelData Create(ReadOnlySpan<Tensor> tensors) => new(tensors.ToArray());

    /// <summary>The tensors, in order (a dictionary's in its own order).</summary>
    public IEnumerator<Tensor> GetEnumerator() =>
        (_list ?? (IEnumerable<Tensor>?)_named?.Values ?? []).GetEnumerator();

    private readonly IReadOnlyList<Tensor>? _list;
    private readonly IReadOnlyDictionary<string, Tensor>? _named;

    /// <summary>Tensors in the order of the model's inputs (outputs).</summary>
    public ModelData(IReadOnlyList<Tensor> tensors) => _list = tensors ?? throw new ArgumentNullException(nameof(tensors));

    /// <summary>Tensors keyed by the names of the model's inputs (output layers).</summary>
    public ModelData(IReadOnlyDictionary<string, Tensor> tensors) => _named = tensors ?? throw new ArgumentNullException(nameof(tensors));

    /// <summary>One tensor.</summary>
    public static implicit operator ModelData(Tensor tensor) => new([tensor]);

    /// <summary>
    /// A C# array as one tensor of its shape and element type (<c>model.Fit(new float[,] { ... }, new[] { 0, 1 })</c>,
    /// as Keras takes a NumPy array): a rectangular array of float, double, int, long, bool, byte or Half.
    /// </summary>
    /// <exception cref="ArgumentException">A jagged array or an element type no tensor holds.</exception>
    public static implicit operator ModelData(Array values) => new([NF.ConstantOf(values)]);

    /// <summary>Two tensors, in order.</summary>
    public static implicit operator ModelData((Tensor, Tensor) tensors) => new([tensors.Item1, tensors.Item2]);

    /// <summary>Three tensors, in order.</summary>
    public static implicit operator ModelData((Tensor, Tensor, Tensor) tensors) => new([tensors.Item1, tensors.Item2, tensors.Item3]);

    /// <summary>Tensors in order.</summary>
    public static implicit operator ModelData(Tensor[] tensors) => new((IReadOnlyList<Tensor>)tensors);

    /// <summary>Tensors in order.</summary>
    public static implicit operator ModelData(List<Tensor> tensors) => new((IReadOnlyList<Tensor>)tensors);

    /// <summary>Tensors by name.</summary>
    public static implicit operator ModelData(Dictionary<string, Tensor> tensors) => new((IReadOnlyDictionary<string, Tensor>)tensors);

    /// <summary>
    /// Columns by input name that mix text and numbers, as Keras' <c>model.predict(input_dict)</c> and
    /// <c>model.fit(dict(df), target)</c> of the structured-data tutorials: each value a <see cref="Tensor"/>,
    /// a <see cref="Data.StringTensor"/> or <c>string[]</c> (text, for an input that feeds a StringLookup or
    /// TextVectorization), or a rectangular numeric C# array (one tensor of its shape and type).
    /// </summary>
    /// <exception cref="ArgumentException">A value of another type, naming its key.</exception>
    public static implicit operator ModelData(Dictionary<string, object> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var tensors = new Dictionary<string, Tensor>(columns.Count);
        foreach (var (key, value) in columns)
            tensors[key] = value switch
            {
                Tensor tensor => tensor,
                Data.StringTensor texts => Data.Pipeline.StringCarrier.Carry(texts),
                string[] texts => Data.Pipeline.StringCarrier.Carry(new Data.StringTensor(texts)),
                string text => throw new ArgumentException(
                    $"Column '{key}' is one string (\"{text}\"); give a batch of texts (new[] {{ text }} or a StringTensor), as Keras needs tf.convert_to_tensor([value]).", nameof(columns)),
                Array array => NF.ConstantOf(array),
                null => throw new ArgumentNullException(nameof(columns), $"Column '{key}' is null."),
                _ => throw new ArgumentException(
                    $"Column '{key}' is a {value.GetType().Name}; each value must be a Tensor, a StringTensor, a string[] or a numeric array.", nameof(columns)),
            };
        return new(tensors);
    }

    /// <summary>
    /// Texts, for a model that starts with a TextVectorization (Keras' <c>export_model.predict(examples)</c>
    /// on strings): the model runs that layer on them first. A model that takes numbers refuses them.
    /// </summary>
    public static implicit operator ModelData(Data.StringTensor texts) =>
        new([Data.Pipeline.StringCarrier.Carry(texts ?? throw new ArgumentNullException(nameof(texts)))]);

    /// <summary>Texts, as a vector (<see cref="Data.StringTensor"/>): <c>model.Predict(new[] { "The movie was great!" })</c>.</summary>
    public static implicit operator ModelData(string[] texts) => new Data.StringTensor(texts ?? throw new ArgumentNullException(nameof(texts)));

    /// <summary>
    /// One part of a dataset's element (<paramref name="part"/>, whose tensors start at
    /// <paramref name="at"/> in the flat <paramref name="element"/>): a dictionary by name, else
    /// its tensors in order (a tuple's flattened).
    /// </summary>
    internal static ModelData FromElement(Data.Pipeline.ElementStructure part, Tensor[] element, int at)
    {
        if (part.Parts is null && part.Keys is { } keys)
            return new(keys.Select((k, i) => (k, element[at + i])).ToDictionary(p => p.k, p => p.Item2));
        if (part.HasDictionary)
            throw new ArgumentException($"A dataset element part {part} nests a dictionary in a tuple; give the model's inputs (targets) as one dictionary, or as a tuple of tensors.");
        return new(element[at..(at + part.Width)]);
    }

    /// <summary>A dictionary's keys in ordinal order (Keras flattens a dictionary by its sorted keys); null for tensors in order.</summary>
    internal string[]? SortedKeys => _named?.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The tensors in the order of <paramref name="names"/> (the model's inputs or outputs; empty
    /// for a model that is not functional, which takes them in the order given). Throws, naming
    /// what is missing or extra, when they do not fit.
    /// </summary>
    internal Tensor[] Resolve(string method, string what, IReadOnlyList<string> names)
    {
        Tensor[] tensors;
        if (_named is { } named)
        {
            if (names.Count == 0)
                throw new ArgumentException($"{method}: {what} is a dictionary, which needs a functional model (whose inputs and outputs have names)" +
                                            (what == "x" ? " or a subclassed model (whose Call(IReadOnlyDictionary<string, Tensor>) takes it)." : "."), what);
            var missing = names.Where(n => !named.ContainsKey(n)).ToList();
            var extra = named.Keys.Where(k => !names.Contains(k)).ToList();
            // Keras takes the inputs it needs from a larger dictionary of features (a dataset's
            // often holds more), but needs exactly one target per output.
            if (missing.Count > 0 || extra.Count > 0 && what != "x")
                throw new ArgumentException(
                    $"{method}: {what} has keys {string.Join(", ", named.Keys.Select(k => $"'{k}'"))}, but the model's {(what == "x" ? "inputs" : "outputs")} are {string.Join(", ", names.Select(n => $"'{n}'"))}" +
                    (missing.Count > 0 ? $"; missing {string.Join(", ", missing)}" : "") + (extra.Count > 0 ? $"; unknown {string.Join(", ", extra)}" : "") + ".", what);
            tensors = names.Select(n => named[n]).ToArray();
        }
        else
        {
            tensors = (_list ?? throw new ArgumentNullException(what, $"{method}: {what} is missing.")).ToArray();
            int expected = Math.Max(1, names.Count);
            if (tensors.Length != expected && names.Count > 0)
                throw new ArgumentException(
                    $"{method}: the model has {expected} {(what == "x" ? "input" : "output")}(s) ({string.Join(", ", names)}), but {what} holds {tensors.Length} tensor(s).", what);
        }
        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i] is null) throw new ArgumentNullException(what, $"{method}: {what}[{i}] is null.");
            if (tensors[i].Rank == 0) throw new ArgumentException($"{method}: {what} needs a batch axis, got a scalar{(tensors.Length > 1 ? $" at {i}" : "")}.", what);
        }
        return tensors;
    }
}
