using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// <c>tf.data.Dataset.load(path)</c>: the dataset <see cref="Dataset{T}.Save"/> wrote to the
    /// directory <paramref name="path"/>, with the same elements, element structure and
    /// <see cref="ElementSpec"/> (kept beside the shards, as TensorFlow keeps its element_spec).
    /// <typeparamref name="T"/> is the element type saved (<c>Dataset.Load&lt;(Tensor, Tensor)&gt;(path)</c>;
    /// a dictionary's keys come from the file). The shards are read interleaved, one element from each
    /// in turn in ascending id order (as tf.data's default reader_func interleaves them), so a dataset
    /// saved without a shard function (round robin) comes back in its order. <paramref name="compression"/>
    /// is tf.data's: null reads the shards as they were saved; "GZIP", "" or "NONE" that differs from
    /// how they were saved is refused naming both (<see cref="ArgumentException"/>). A missing
    /// directory (<see cref="DirectoryNotFoundException"/>), one that no save completed
    /// (<see cref="InvalidDataException"/>; one with only the hidden files of a killed save: <see cref="DirectoryNotFoundException"/> saying so) and elements of another
    /// type than <typeparamref name="T"/> (<see cref="ArgumentException"/>) are refused naming the path.
    /// </summary>
    public static Dataset<T> Load<T>(string path, string? compression = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var saved = SavedDataset.Open(SavedDataset.FullPath(path), nameof(Load));
        saved.CheckCompression(compression, nameof(Load));
        var structure = Structure<T>.New();
        if (!structure.TryMatch(saved.Spec))
            throw new ArgumentException(
                $"Load: the dataset saved at '{saved.Path}' has elements {saved.Spec}, which are not {Structure.Describe(typeof(T))} ({structure}); load it as the element type it was saved with.",
                nameof(T));
        return new(new LoadNode(saved), structure);
    }
}
