namespace NeuralFlow;

/// <summary>
/// A sparse tensor in TensorFlow's COO layout (<c>tf.SparseTensor(indices, values, dense_shape)</c>): the
/// <see cref="Values"/> [N] sit at the index tuples <see cref="Indices"/> [N, rank] of a tensor of
/// <see cref="DenseShape"/>, every other element the default value that <see cref="NF.Sparse.ToDense"/> fills
/// in. TensorFlow's text generation tutorial builds its prediction mask this way (-inf at the [UNK] id).
/// The shapes are checked here, as TensorFlow's constructor does; the index values when made dense.
/// </summary>
public sealed class SparseTensor
{
    /// <summary>The sparse tensor of <paramref name="values"/> at <paramref name="indices"/> (int64 or int32 [N, rank]) in a tensor of <paramref name="denseShape"/>.</summary>
    /// <exception cref="ArgumentException">indices is not an integer matrix, values not a vector of its N, or denseShape not of its rank.</exception>
    public SparseTensor(Tensor indices, Tensor values, long[] denseShape)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(denseShape);
        if (indices.DType is not (DType.Int64 or DType.Int32))
            throw new ArgumentException($"SparseTensor: indices must be int64 (or int32) index tuples, got {indices.DType}.", nameof(indices));
        if (indices.Shape.Rank != 2)
            throw new ArgumentException($"SparseTensor: indices must be a matrix [N, rank] (one index tuple a row), got shape {indices.Shape}; " +
                                        "add an axis to a vector of ids (ids[:, None], NF.ExpandDims(ids, 1)).", nameof(indices));
        if (values.Shape.Rank != 1 || values.Shape[0] != indices.Shape[0])
            throw new ArgumentException($"SparseTensor: values must be a vector of one value per index tuple ({indices.Shape[0]}), got shape {values.Shape}.", nameof(values));
        if (denseShape.Length != indices.Shape[1])
            throw new ArgumentException($"SparseTensor: denseShape [{string.Join(", ", denseShape)}] has rank {denseShape.Length}, but the index tuples have {indices.Shape[1]} components.", nameof(denseShape));
        if (denseShape.Any(d => d < 0 || d > int.MaxValue))
            throw new ArgumentException($"SparseTensor: denseShape [{string.Join(", ", denseShape)}] holds a negative or too large size.", nameof(denseShape));
        Indices = indices.DType == DType.Int64 ? indices : NF.Cast(indices, DType.Int64);
        Values = values;
        DenseShape = (long[])denseShape.Clone();
    }

    /// <summary>The index tuples, int64 [N, rank].</summary>
    public Tensor Indices { get; }

    /// <summary>The values, [N].</summary>
    public Tensor Values { get; }

    /// <summary>The shape of the dense tensor (<c>dense_shape</c>).</summary>
    public long[] DenseShape { get; }

    /// <summary>The dense shape as a <see cref="NeuralFlow.Shape"/>.</summary>
    public Shape Shape => new(DenseShape.Select(d => (int)d).ToArray());

    /// <summary>The values' dtype.</summary>
    public DType DType => Values.DType;

    /// <summary>As TensorFlow prints it: <c>SparseTensor(indices=..., values=..., dense_shape=...)</c>.</summary>
    public override string ToString() =>
        $"SparseTensor(indices={Indices}, values={Values}, dense_shape=[{string.Join(", ", DenseShape)}])";
}
