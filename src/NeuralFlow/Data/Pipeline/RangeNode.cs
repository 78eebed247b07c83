namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The int64 scalars start, start + step, ... before stop (<c>tf.data.Dataset.range</c>); with no
/// stop, forever (the counter under <c>Enumerate</c>).
/// </summary>
internal sealed class RangeNode : Node
{
    private readonly long _start;
    private readonly long? _stop;
    private readonly long _step;
    private readonly DType _dtype;

    public RangeNode(long start, long? stop, long step, DType dtype)
    {
        if (step == 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Range: step must not be zero.");
        if (!dtype.IsInteger() && !dtype.IsFloating())
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Range: dtype must be an integer or floating dtype (int64 by default, as tf.data).");
        _start = start;
        _stop = stop;
        _step = step;
        _dtype = dtype;
    }

    public override int Width => 1;
    protected override TensorSpec[] ComputeSignature() => [new TensorSpec([], _dtype)];

    /// <summary>ceil((stop - start) / step) when positive, as Python's range (in 128 bits: no overflow).</summary>
    public override long Cardinality
    {
        get
        {
            if (_stop is not { } stop) return Dataset.Infinite;
            Int128 span = (Int128)stop - _start, step = _step;
            if (span == 0 || (span > 0) != (step > 0)) return 0;
            return (long)((span + step - (step > 0 ? 1 : -1)) / step);
        }
    }

    public override IEnumerator<Part[]> Open()
    {
        long count = Cardinality;
        Int128 value = _start;
        for (long i = 0; count == Dataset.Infinite || i < count; i++, value += _step)
        {
            if (value > long.MaxValue || value < long.MinValue) yield break; // an endless counter stops where int64 does
            yield return [Part.Owned(Scalar((long)value))];
        }
    }

    private Tensor Scalar(long value) => _dtype switch
    {
        DType.Int64 => NF.Constant(value),
        DType.Int32 => NF.Constant(checked((int)value)),
        DType.UInt8 => NF.Constant(checked((byte)value)),
        DType.Float32 => NF.Constant((float)value),
        _ => NF.Constant((double)value),
    };
}
