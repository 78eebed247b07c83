using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// A dataset read from a folder of files by <c>Utils.ImageDatasetFromDirectory</c> or
/// <c>Utils.AudioDatasetFromDirectory</c>: a <see cref="Dataset{T}"/> like any other (batches of
/// (inputs, labels), or inputs alone without labels), which also says what Keras attaches to
/// such a dataset: <see cref="ClassNames"/> (<c>dataset.class_names</c>) and
/// <see cref="FilePaths"/> (<c>dataset.file_paths</c>). As in TensorFlow, a transformation
/// (<c>Map</c>, <c>Cache</c>, <c>Prefetch</c>, ...) returns a plain dataset: read the names first.
/// </summary>
public sealed class DirectoryDataset<T> : Dataset<T>
{
    internal DirectoryDataset(Dataset<T> pipeline, IReadOnlyList<string>? classNames, IReadOnlyList<string> filePaths)
        : base(pipeline.Node, pipeline.Elements) => (ClassNames, FilePaths) = (classNames, filePaths);

    /// <summary>
    /// The class of each label id, in id order: the sub-directory names (sorted, or as given by
    /// <c>classNames</c>), or the sorted distinct labels as text when labels were given; null without labels.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>
    /// The files of this dataset, in the order of the list Keras shuffles once with the seed (each
    /// pass then reshuffles within a buffer, so batches need not follow this order when shuffling).
    /// </summary>
    public IReadOnlyList<string> FilePaths { get; }
}
