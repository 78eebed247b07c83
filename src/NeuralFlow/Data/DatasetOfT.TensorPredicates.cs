namespace NeuralFlow.Data;

// Filter and TakeWhile with a predicate written as tf.data's are: a function returning a scalar
// bool tensor (ds.Filter(x => x < 3), .Filter((features, label) => NF.Equal(label, 0))), so a
// TensorFlow predicate ports without a host read at the end of it.
public partial class Dataset<T>
{
    /// <summary>
    /// <see cref="Filter(Func{T, bool})"/> with a predicate that returns a scalar bool tensor, as
    /// tf.data's <c>filter</c> does: <c>ds.Filter(x =&gt; x &lt; 3)</c>. Any other dtype or shape is
    /// refused with an <see cref="InvalidOperationException"/> naming it, as TensorFlow refuses it.
    /// </summary>
    public Dataset<T> Filter(Func<T, Tensor> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Filter(e => Truth(predicate(e), nameof(Filter)));
    }

    /// <summary><see cref="TakeWhile(Func{T, bool})"/> with a predicate that returns a scalar bool tensor (tf.data's <c>take_while</c>).</summary>
    public Dataset<T> TakeWhile(Func<T, Tensor> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return TakeWhile(e => Truth(predicate(e), nameof(TakeWhile)));
    }

    /// <summary>The value of the scalar bool tensor a predicate returned.</summary>
    private static bool Truth(Tensor value, string op)
    {
        if (value is null) throw new InvalidOperationException($"{op}: the predicate returned null instead of a scalar bool tensor.");
        if (value.DType != DType.Bool || value.Rank != 0)
            throw new InvalidOperationException(
                $"{op}: the predicate must return a scalar bool tensor, as tf.data's does, but returned a tensor of dtype {value.DType.Name()} and shape {value.Shape}; " +
                "compare (x < 3, NF.Equal(label, 0)) and reduce a test of a whole tensor with NF.ReduceAll or NF.ReduceAny.");
        return value.Item<bool>();
    }
}
