using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

// Datasets of text: string elements (StringTensor, tf.string) from host strings, and the guard
// that keeps them out of the consumers that take numbers.
public abstract partial class Dataset
{
    /// <summary>
    /// One scalar string element per text (<c>tf.data.Dataset.from_tensor_slices(["the cat", "a dog"])</c>):
    /// its <see cref="ElementSpec"/> is <c>TensorSpec(shape=(), dtype=tf.string, name=None)</c>, and
    /// <c>Batch(n)</c> makes vectors of n texts for <c>TextVectorization.Call</c>. The array is copied.
    /// </summary>
    public static Dataset<StringTensor> FromTensorSlices(string[] texts) => Slices(new StringTensor(texts ?? throw new ArgumentNullException(nameof(texts))));

    /// <summary>The rows of <paramref name="texts"/> (slices along its first axis), one element each.</summary>
    public static Dataset<StringTensor> FromTensorSlices(StringTensor texts) => Slices(texts ?? throw new ArgumentNullException(nameof(texts)));

    /// <summary>
    /// Pairs <c>(texts[i], labels[i])</c> (<c>from_tensor_slices((texts, labels))</c>, the text
    /// classification tutorials' dataset); <paramref name="labels"/> needs one row per text.
    /// </summary>
    public static Dataset<(StringTensor, Tensor)> FromTensorSlices(string[] texts, Tensor labels) =>
        FromTensorSlices(new StringTensor(texts ?? throw new ArgumentNullException(nameof(texts))), labels);

    /// <summary>Pairs of rows <c>(texts[i], labels[i])</c> of a string tensor and a tensor.</summary>
    public static Dataset<(StringTensor, Tensor)> FromTensorSlices(StringTensor texts, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        return Slices((texts, labels));
    }

    /// <summary>Pairs of texts and labels from a tuple, as TensorFlow's <c>from_tensor_slices((texts, labels))</c>.</summary>
    public static Dataset<(StringTensor, Tensor)> FromTensorSlices((string[] Texts, Tensor Labels) tensors) => FromTensorSlices(tensors.Texts, tensors.Labels);

    /// <summary>One element: the whole string tensor (<c>tf.data.Dataset.from_tensors(["a", "b"])</c>).</summary>
    public static Dataset<StringTensor> FromTensors(StringTensor texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var structure = Structure<StringTensor>.New();
        return new(new GeneratorNode(() => [structure.Flatten(texts)], structure, cardinality: 1, signature: [Spec(texts)], GeneratorNode.TensorDataset));
    }

    /// <summary>One element: the pair of the whole string tensor and the whole tensor (<c>from_tensors((texts, labels))</c>).</summary>
    public static Dataset<(StringTensor, Tensor)> FromTensors(StringTensor texts, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        var structure = Structure<(StringTensor, Tensor)>.New();
        return new(new GeneratorNode(() => [structure.Flatten((texts, labels))], structure, cardinality: 1, signature: [Spec(texts), TensorSpec.FromTensor(labels)],
            GeneratorNode.TensorDataset));
    }

    /// <summary>
    /// Rows of named columns that mix text and numbers (tf.data's
    /// <c>from_tensor_slices({"title": titles, "year": years})</c>, the "load CSV" and "classify
    /// structured data" tutorials' dataset): each value a <see cref="Tensor"/>, a <see cref="StringTensor"/>,
    /// a <c>string[]</c> or a numeric C# array (<c>float[]</c>, <c>long[]</c>, <c>double[,]</c>, ..., taken as
    /// <c>NF.Constant</c> takes it), all of one first dimension. The elements keep the dictionary's key order. Element i is a dictionary with the same keys,
    /// row i of each column: a StringTensor for text, a Tensor for numbers
    /// (<c>(StringTensor)row["title"]</c>). Its element spec is a dict of TensorSpecs, tf.string for text.
    /// Turn the text into numbers in a <c>Map</c> (TextVectorization, StringLookup) before a model.
    /// </summary>
    public static Dataset<IReadOnlyDictionary<string, object>> FromTensorSlices(IReadOnlyDictionary<string, object> columns) => Slices(Columns(columns));

    /// <summary>Pairs of rows of named columns (text and numbers) and one label tensor: <c>(columns[i], labels[i])</c>.</summary>
    public static Dataset<(IReadOnlyDictionary<string, object>, Tensor)> FromTensorSlices(IReadOnlyDictionary<string, object> columns, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Slices((Columns(columns), labels));
    }

    // The columns with string[] values as StringTensors (what a dataset element holds), checked.
    private static IReadOnlyDictionary<string, object> Columns(IReadOnlyDictionary<string, object> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var result = new Dictionary<string, object>(columns.Count);
        foreach (var (key, value) in columns)
            result[key] = value switch
            {
                Tensor or StringTensor => value,
                string[] texts => new StringTensor(texts),
                Array numbers => NumericColumn(key, numbers),
                null => throw new ArgumentNullException(nameof(columns), $"FromTensorSlices: column '{key}' is null."),
                _ => throw new ArgumentException(
                    $"FromTensorSlices: column '{key}' is a {value.GetType().Name}; each column must be a Tensor, a StringTensor, a string[] or a numeric array.", nameof(columns)),
            };
        return result;
    }

    // A numeric C# array (float[], long[], double[,], ...) as the tensor NF.Constant makes of it, as a ModelData column is taken.
    private static Tensor NumericColumn(string key, Array numbers)
    {
        try
        {
            return NF.ConstantOf(numbers);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"FromTensorSlices: column '{key}': {e.Message}", "columns", e);
        }
    }

    private static TensorSpec Spec(StringTensor texts) => new(TensorSpec.Known(texts.Shape), DType.String);

    /// <summary>
    /// Refuses elements that hold strings on their way to <paramref name="consumer"/>, which takes
    /// numbers (a model's Fit, a numeric layer's Adapt): names the string components and the way
    /// to turn them into numbers, as Keras fails on a tf.string input to a Dense layer.
    /// <paramref name="describe"/> says what a component is to the consumer (a model's input), or
    /// null; only the first <paramref name="read"/> components are checked (Predict reads the inputs alone),
    /// and those <paramref name="accepts"/> says the consumer takes as text (a model that starts with a TextVectorization) pass.
    /// </summary>
    internal void RefuseStrings(string consumer, Func<int, string?>? describe = null, int read = int.MaxValue, Func<int, bool>? accepts = null, bool takesRagged = false)
    {
        if (!takesRagged) RefuseRagged(consumer);   // a model with ragged inputs takes them (and names a ragged component it cannot)
        if (!Schema.HasStrings) return;
        // Which components hold text: the element spec's tf.string ones (a dictionary of columns
        // may mix text and numbers; the spec tells which, tracing a Map that makes it if need be).
        var signature = Node.Signature;
        var components = Enumerable.Range(0, Math.Min(read, signature.Length)).Where(c => signature[c].DType == DType.String && accepts?.Invoke(c) != true).ToList();
        if (components.Count == 0) return;
        var named = components.Select(c => describe?.Invoke(c) is { } what ? $"{c} ({what})" : $"{c}");
        throw new ArgumentException(
            $"{consumer}: the dataset's elements {Schema} hold text (StringTensor, tf.string) in component {string.Join(" and ", named)}, " +
            "but it takes numbers. Turn the text into numbers in the pipeline first, e.g. ds.Map((x, y) => (vectorize.Call(x), y)) with a TextVectorization, StringLookup or Hashing layer.",
            "dataset");
    }
}
