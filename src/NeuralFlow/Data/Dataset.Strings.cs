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
        return new(new GeneratorNode(() => [structure.Flatten(texts)], structure, cardinality: 1, signature: [Spec(texts)]));
    }

    /// <summary>One element: the pair of the whole string tensor and the whole tensor (<c>from_tensors((texts, labels))</c>).</summary>
    public static Dataset<(StringTensor, Tensor)> FromTensors(StringTensor texts, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        var structure = Structure<(StringTensor, Tensor)>.New();
        return new(new GeneratorNode(() => [structure.Flatten((texts, labels))], structure, cardinality: 1, signature: [Spec(texts), TensorSpec.FromTensor(labels)]));
    }

    private static TensorSpec Spec(StringTensor texts) => new(TensorSpec.Known(texts.Shape), DType.String);

    /// <summary>
    /// Refuses elements that hold strings on their way to <paramref name="consumer"/>, which takes
    /// numbers (a model's Fit, a numeric layer's Adapt): names the string components and the way
    /// to turn them into numbers, as Keras fails on a tf.string input to a Dense layer.
    /// <paramref name="describe"/> says what a component is to the consumer (a model's input), or
    /// null; only the first <paramref name="read"/> components are checked (Predict reads the inputs alone).
    /// </summary>
    internal void RefuseStrings(string consumer, Func<int, string?>? describe = null, int read = int.MaxValue)
    {
        if (!Schema.HasStrings) return;
        var components = new List<int>();
        StringComponents(Schema, 0, components);
        components.RemoveAll(c => c >= read);
        if (components.Count == 0) return;
        var named = components.Select(c => describe?.Invoke(c) is { } what ? $"{c} ({what})" : $"{c}");
        throw new ArgumentException(
            $"{consumer}: the dataset's elements {Schema} hold text (StringTensor, tf.string) in component {string.Join(" and ", named)}, " +
            "but it takes numbers. Turn the text into numbers in the pipeline first, e.g. ds.Map((x, y) => (vectorize.Call(x), y)) with a TextVectorization, StringLookup or Hashing layer.",
            "dataset");
    }

    private static void StringComponents(ElementStructure structure, int at, List<int> into)
    {
        if (structure is Structure.StringStructure) into.Add(at);
        else if (structure.Parts is { } parts)
            foreach (var part in parts)
            {
                StringComponents(part, at, into);
                at += part.Width;
            }
    }
}
