using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>Which kernel a <see cref="KernelCall"/> describes.</summary>
internal enum CallKind { Upload, Fill, Copy, Where, Binary, Unary, Cast }

/// <summary>
/// The settings of one recorded kernel call as data, operand by operand in the order of its
/// <see cref="FunctionTrace.Op"/> references (reads, then writes): the layout each operand was
/// addressed with (null for a raw target: an upload or a fill) and the dtype of its elements.
/// Recorded for the elementwise kernels only (uploads, fills, unary, binary, cast, copy, where),
/// whose result at an index depends on the operands at that index alone. The one description of
/// such a call for every analysis of a trace: the map-and-batch fusion
/// (Data/Pipeline/RowwiseProof.cs) compares the calls a Map function makes on one element with
/// those it makes on a batch; the elementwise fusion (<see cref="ElementwiseFusion"/>) chains
/// binary, unary and cast calls into one program.
/// </summary>
internal sealed class KernelCall(CallKind kind, int code, Layout?[] layouts, DType[] dtypes, IBackend backend, byte[]? bytes = null,
                                 double value = 0, long count = 0, long byteOffset = 0)
{
    public CallKind Kind { get; } = kind;
    /// <summary>The op within the kernel (a UnaryOp or BinaryOp value; 0 where there is none).</summary>
    public int Code { get; } = code;
    public Layout?[] Layouts { get; } = layouts;
    public DType[] DTypes { get; } = dtypes;
    /// <summary>The backend that ran the call (the real one, not the recording stand-in).</summary>
    public IBackend Backend { get; } = backend;
    /// <summary>Host bytes an upload wrote (a constant of the function).</summary>
    public byte[]? Bytes { get; } = bytes;
    public double Value { get; } = value;
    public long Count { get; } = count;
    public long ByteOffset { get; } = byteOffset;

    /// <summary>The dtype of the first input (of the source, for a cast).</summary>
    public DType InDType => DTypes[0];
    /// <summary>The output's dtype: Bool for a comparison, the target of a cast.</summary>
    public DType OutDType => DTypes[^1];
    /// <summary>The layout of read <paramref name="k"/> (a kernel that reads has a layout for each read).</summary>
    public Layout InLayout(int k) => Layouts[k]!.Value;
    public Layout OutLayout => Layouts[^1]!.Value;

    /// <summary>The step kind of a fused program for a binary or unary call; null for the other kernels.</summary>
    public FusedKind? StepKind => Kind switch
    {
        CallKind.Binary => FusedKind.Binary,
        CallKind.Unary => FusedKind.Unary,
        _ => null,
    };

    /// <summary>What the call computes, for plan descriptions: the op's name, "cast" or the kernel's kind.</summary>
    public string OpName => Kind switch
    {
        CallKind.Binary => ((BinaryOp)Code).ToString(),
        CallKind.Unary => ((UnaryOp)Code).ToString(),
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>True when everything but the layouts and the backend is the same: the same kernel, constant, fill value and count, op and dtypes.</summary>
    public bool SameSettings(KernelCall other) =>
        Kind == other.Kind && Code == other.Code && DTypes.AsSpan().SequenceEqual(other.DTypes) && Layouts.Length == other.Layouts.Length &&
        Value.Equals(other.Value) && Count == other.Count && ByteOffset == other.ByteOffset &&
        (Bytes is null ? other.Bytes is null : other.Bytes is not null && Bytes.AsSpan().SequenceEqual(other.Bytes));
}
