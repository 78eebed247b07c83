using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// <c>tf.data.Dataset.load(path)</c>: the dataset <see cref="Dataset{T}.Save"/> wrote to the
    /// directory <paramref name="path"/>, with the same elements, element structure and
    /// <see cref="ElementSpec"/> (kept beside the shards, as TensorFlow keeps its element_spec).
    /// <typeparamref name="T"/> is the element type saved (<c>Dataset.Load&lt;(Tensor, Tensor)&gt;(path)</c>;
    /// a dictionary's keys come from the file). The shards are read one after another in ascending
    /// id order, so a dataset saved without a shard function comes back in its order. A missing
    /// directory (<see cref="DirectoryNotFoundException"/>), one that no save completed
    /// (<see cref="InvalidDataException"/>: an interrupted save leaves none) and elements of another
    /// type than <typeparamref name="T"/> (<see cref="ArgumentException"/>) are refused naming the path.
    /// </summary>
    public static Dataset<T> Load<T>(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var saved = SavedDataset.Open(SavedDataset.FullPath(path), nameof(Load));
        var structure = Structure<T>.New();
        if (!structure.TryMatch(saved.Spec))
            throw new ArgumentException(
                $"Load: the dataset saved at '{saved.Path}' has elements {saved.Spec}, which are not {Structure.Describe(typeof(T))} ({structure}); load it as the element type it was saved with.",
                nameof(T));
        return new(new LoadNode(saved), structure);
    }
}
