namespace NeuralFlow;

/// <summary>
/// The settings of one recorded kernel call as data, operand by operand in the order of its
/// <see cref="FunctionTrace.Op"/> references (reads, then writes): the layout each operand was
/// addressed with (null for a raw target: an upload or a fill) and the dtype of its elements.
/// Recorded for the elementwise kernels only (uploads, fills, unary, binary, cast, copy, where),
/// whose result at an index depends on the operands at that index alone: the map-and-batch fusion
/// (Data/Pipeline/RowwiseProof.cs) compares the calls a Map function makes on one element with
/// those it makes on a batch.
/// </summary>
internal sealed class KernelCall(int code, Layout?[] layouts, DType[] dtypes, byte[]? bytes = null, double value = 0, long count = 0, long byteOffset = 0)
{
    /// <summary>The op within the kernel (a UnaryOp or BinaryOp value; 0 where there is none).</summary>
    public int Code { get; } = code;
    public Layout?[] Layouts { get; } = layouts;
    public DType[] DTypes { get; } = dtypes;
    /// <summary>Host bytes an upload wrote (a constant of the function).</summary>
    public byte[]? Bytes { get; } = bytes;
    public double Value { get; } = value;
    public long Count { get; } = count;
    public long ByteOffset { get; } = byteOffset;

    /// <summary>True when everything but the layouts is the same: the same constant, fill value and count, op and dtypes.</summary>
    public bool SameSettings(KernelCall other) =>
        Code == other.Code && DTypes.AsSpan().SequenceEqual(other.DTypes) && Layouts.Length == other.Layouts.Length &&
        Value.Equals(other.Value) && Count == other.Count && ByteOffset == other.ByteOffset &&
        (Bytes is null ? other.Bytes is null : other.Bytes is not null && Bytes.AsSpan().SequenceEqual(other.Bytes));
}
