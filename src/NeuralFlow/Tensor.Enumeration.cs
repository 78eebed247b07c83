namespace NeuralFlow;

// foreach (var row in tensor): TensorFlow's eager tensors and PyTorch's iterate over their first axis, and users write
// it in their first hour. Each row is exactly what t[i] gives (a view, recorded for gradients, owned as any indexing
// result: by the caller or the enclosing TensorScope), so iteration adds no second ownership rule. Inside NF.Function
// the first dimension is a known number (a plan is made per shape), so a loop over a tensor unrolls into one view per
// row, as AutoGraph unrolls a Python loop over a tensor of static length.
//
// Why a public GetEnumerator (C#'s foreach pattern) and not IEnumerable<Tensor>: a tensor that is a collection of its
// rows is a collection to every comparer and type test in the ecosystem. xunit's Assert.Equal(new[] { w }, layer.Weights)
// then walks each weight row by row down to its scalars (new views, never the same object) and fails or throws where
// it passed before; NeuralFlow's own Keras code treats any IEnumerable<object> as a nested list of metrics. The pattern
// gives foreach without any of that; AsEnumerable() is the IEnumerable for LINQ, asked for by name.
public partial class Tensor
{
    /// <summary>
    /// The rows of this tensor along its first axis, each <c>this[i]</c> (a view of rank <see cref="Rank"/> - 1 that the
    /// caller owns as any indexing result): <c>foreach (var row in x)</c> works as TensorFlow's <c>for row in x</c> and
    /// PyTorch's. The number of rows is read when the iteration starts.
    /// </summary>
    /// <remarks>
    /// A tensor is not an <see cref="IEnumerable{T}"/> (collection comparers, LINQ and type tests would see every tensor as
    /// a list of rows); <see cref="AsEnumerable"/> gives the rows as one, for LINQ, and <see cref="NF.Unstack"/> all of
    /// them at once as an array.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The tensor is a scalar (rank 0): there is no axis to iterate over.</exception>
    /// <exception cref="ObjectDisposedException">The tensor was disposed.</exception>
    public IEnumerator<Tensor> GetEnumerator()
    {
        ThrowIfDisposed();
        if (Rank == 0)
            throw new InvalidOperationException(
                $"Cannot iterate over a scalar tensor ({DType.Name()}, shape {Shape}): a tensor iterates over its first axis; read a scalar with Item<T>().");
        return Rows(Shape[0]);
    }

    /// <summary>
    /// The rows of this tensor along its first axis as a lazy sequence, for LINQ: <c>x.AsEnumerable().Select(NF.ReduceSum)</c>.
    /// Each enumeration yields new views (<c>this[i]</c>), owned by the caller as any indexing result.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor is a scalar (rank 0), said when the sequence is made.</exception>
    /// <exception cref="ObjectDisposedException">The tensor was disposed.</exception>
    public IEnumerable<Tensor> AsEnumerable()
    {
        using var check = GetEnumerator(); // the scalar and disposed checks, now rather than at the first MoveNext
        return RowSequence();
    }

    private IEnumerable<Tensor> RowSequence()
    {
        using var rows = GetEnumerator();
        while (rows.MoveNext()) yield return rows.Current;
    }

    // Lazy rows, after the checks in GetEnumerator ran eagerly (an iterator method would defer them to the first MoveNext).
    private IEnumerator<Tensor> Rows(int count)
    {
        for (int i = 0; i < count; i++) yield return this[i];
    }
}
