using System.Collections;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>What a <see cref="Train.Checkpoint"/> saves of a dataset iterator: how far it has read, and how to return there.</summary>
internal interface ICheckpointedIterator
{
    long Position { get; }

    void Seek(long position, string where);
}

public partial class Dataset<T>
{
    /// <summary>
    /// An iterator over this dataset that a <see cref="Train.Checkpoint"/> can hold (<c>iter(dataset)</c> in
    /// <c>tf.train.Checkpoint(iterator=iterator)</c>): it counts the elements it has given, and a restore starts a new
    /// pass and skips as many, so training resumes at the next batch. That replays the pipeline, so it holds for
    /// pipelines that give the same elements on every pass from a fresh start: one with <c>Shuffle</c> is refused.
    /// </summary>
    /// <exception cref="NotSupportedException">The pipeline shuffles.</exception>
    public DatasetIterator<T> Iterator() => new(this);
}

/// <summary>
/// A pass over a <see cref="Dataset{T}"/> that a <see cref="Train.Checkpoint"/> saves and restores by position
/// (see <see cref="Dataset{T}.Iterator"/>); <see cref="Next"/> is Python's <c>next(iterator)</c>.
/// </summary>
public sealed class DatasetIterator<T> : IEnumerator<T>, ICheckpointedIterator
{
    private readonly Dataset<T> _dataset;
    private IEnumerator<T> _pass;

    internal DatasetIterator(Dataset<T> dataset)
    {
        if (Shuffles(dataset.Node))
            throw new NotSupportedException(
                "Dataset.Iterator: the pipeline shuffles, and a checkpointed iterator returns to its position by replaying the pipeline from the start, " +
                "which does not give a shuffle's order again. Shuffle the data before the pipeline (or checkpoint the epoch and start a new one on restore).");
        _dataset = dataset;
        _pass = dataset.GetEnumerator();
    }

    private static bool Shuffles(Node node) => node is ShuffleNode || node.Inputs.Any(Shuffles);

    /// <summary>How many elements this iterator has given since its pass began (what a checkpoint saves).</summary>
    public long Position { get; private set; }

    /// <summary>The element the last <see cref="MoveNext"/> reached.</summary>
    public T Current => _pass.Current;

    object? IEnumerator.Current => Current;

    /// <summary>Moves to the next element; false at the end of the dataset.</summary>
    public bool MoveNext()
    {
        if (!_pass.MoveNext()) return false;
        Position++;
        return true;
    }

    /// <summary>The next element (<c>next(iterator)</c>).</summary>
    /// <exception cref="InvalidOperationException">The dataset has no more elements (Python's StopIteration).</exception>
    public T Next() => MoveNext() ? Current : throw new InvalidOperationException($"DatasetIterator.Next: the dataset ended after {Position} elements.");

    /// <summary>Starts the pass again from the first element.</summary>
    public void Reset() => Seek(0, "Reset");

    void ICheckpointedIterator.Seek(long position, string where) => Seek(position, where);

    private void Seek(long position, string where)
    {
        if (position < 0) throw new InvalidDataException($"{where}: an iterator position cannot be negative ({position}).");
        _pass.Dispose();
        _pass = _dataset.GetEnumerator();
        Position = 0;
        while (Position < position)
            if (!MoveNext())
                throw new InvalidDataException($"{where}: the iterator was saved at element {position}, but its dataset ends after {Position}; is it the same dataset?");
    }

    /// <summary>Ends the pass.</summary>
    public void Dispose() => _pass.Dispose();
}
