using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// <c>Map</c> and <c>Filter</c> with one parameter per part, so that a pair dataset reads
/// <c>.Map((img, label) => (NF.Cast(img, DType.Float32) / 255f, label))</c> as in TensorFlow, and
/// one of named features <c>.Map((features, label) => (..., label))</c>.
/// </summary>
public static class DatasetExtensions
{
    /// <summary>
    /// <see cref="Dataset{T}.Map{TResult}"/> with the pair's parts as two parameters:
    /// <c>(img, label) => ...</c>, or <c>(features, label) => ...</c> over named features.
    /// </summary>
    public static Dataset<TResult> Map<T1, T2, TResult>(this Dataset<(T1, T2)> dataset, Func<T1, T2, TResult> fn, int parallelism = 1, bool? deterministic = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return dataset.Map(e => fn(e.Item1, e.Item2), parallelism, deterministic);
    }

    /// <summary><see cref="Dataset{T}.Map{TResult}"/> with the triple's parts as three parameters.</summary>
    public static Dataset<TResult> Map<T1, T2, T3, TResult>(this Dataset<(T1, T2, T3)> dataset, Func<T1, T2, T3, TResult> fn, int parallelism = 1, bool? deterministic = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return dataset.Map(e => fn(e.Item1, e.Item2, e.Item3), parallelism, deterministic);
    }

    /// <summary><see cref="Dataset{T}.Filter(Func{T, bool})"/> with the pair's parts as two parameters.</summary>
    public static Dataset<(T1, T2)> Filter<T1, T2>(this Dataset<(T1, T2)> dataset, Func<T1, T2, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return dataset.Filter(e => predicate(e.Item1, e.Item2));
    }

    /// <summary><see cref="Dataset{T}.Filter(Func{T, bool})"/> with the triple's parts as three parameters.</summary>
    public static Dataset<(T1, T2, T3)> Filter<T1, T2, T3>(this Dataset<(T1, T2, T3)> dataset, Func<T1, T2, T3, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return dataset.Filter(e => predicate(e.Item1, e.Item2, e.Item3));
    }

    /// <summary>
    /// <see cref="Dataset{T}.Filter(Func{T, Tensor})"/> with the pair's parts as two parameters and a
    /// scalar bool tensor as the answer, as tf.data's <c>filter(lambda features, label: label == 0)</c>:
    /// <c>.Filter((features, label) =&gt; NF.Equal(label, 0))</c>.
    /// </summary>
    public static Dataset<(T1, T2)> Filter<T1, T2>(this Dataset<(T1, T2)> dataset, Func<T1, T2, Tensor> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return dataset.Filter(e => predicate(e.Item1, e.Item2));
    }

    /// <summary><see cref="Dataset{T}.Filter(Func{T, Tensor})"/> with the triple's parts as three parameters.</summary>
    public static Dataset<(T1, T2, T3)> Filter<T1, T2, T3>(this Dataset<(T1, T2, T3)> dataset, Func<T1, T2, T3, Tensor> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return dataset.Filter(e => predicate(e.Item1, e.Item2, e.Item3));
    }

    /// <summary>
    /// <see cref="Dataset{T}.RejectionResample"/> with the pair's parts as two parameters, as the
    /// guide's <c>class_func(features, label)</c>: <c>.RejectionResample((features, label) =&gt; label, [0.5, 0.5], fractions)</c>.
    /// </summary>
    public static Dataset<(Tensor, (T1, T2))> RejectionResample<T1, T2>(this Dataset<(T1, T2)> dataset, Func<T1, T2, Tensor> classFunc,
        double[] targetDist, double[]? initialDist = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(classFunc);
        return dataset.RejectionResample(e => classFunc(e.Item1, e.Item2), targetDist, initialDist, seed);
    }
}

/// <summary>Keeping a tensor that a pipeline would otherwise dispose.</summary>
public static class TensorOwnership
{
    /// <summary>
    /// A new handle on the same data (no copy) that belongs to the caller: it stays valid after
    /// the pipeline disposes the original, e.g. an element of a <see cref="Dataset{T}.AutoDispose"/>
    /// loop the caller wants to keep. Dispose it, or let the GC free it.
    /// </summary>
    public static Tensor Keep(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.View(tensor.Layout);
    }
}
