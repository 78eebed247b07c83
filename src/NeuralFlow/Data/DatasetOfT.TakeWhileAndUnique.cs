using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

// tf.data's take_while and unique: steps that keep a prefix, or the first of each value.
public partial class Dataset<T>
{
    /// <summary>
    /// <c>take_while</c>: the elements up to the first one for which <paramref name="predicate"/>
    /// is false, which ends the dataset (later elements are not read, even if they would pass).
    /// The cardinality is <see cref="Dataset.Unknown"/>.
    /// </summary>
    public Dataset<T> TakeWhile(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return With(new TakeWhileNode(Node, Structure.Lift(Elements, predicate)));
    }

    /// <summary>
    /// <c>unique</c>: each distinct element once, in the order of first occurrence
    /// (<c>[1, 37, 2, 37, 2, 1]</c> gives <c>1, 37, 2</c>). As in tf.data, only for a dataset of
    /// single integer tensors (any shape; equal means the same shape and values); anything else
    /// is a <see cref="NotSupportedException"/>.
    /// </summary>
    public Dataset<T> Unique()
    {
        if (Elements.HasDictionary || Elements.Parts is not null)
            throw new NotSupportedException($"Unique: the elements are {Elements}, but unique works on datasets of single integer tensors, as tf.data's does.");
        return With(new UniqueNode(Node));
    }
}
