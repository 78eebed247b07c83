namespace NeuralFlow;

/// <summary>
/// The tensors one backend call reads, held alive until the call returns, and their addresses.
/// A backend receives bare addresses: a tensor nothing references after the call starts could
/// otherwise be collected during it, and its buffer freed by the finalizer under the kernel.
/// Use it with <c>using</c>: disposing it is where the operands are last referenced. A ref
/// struct on the stack: nothing is allocated.
/// </summary>
internal readonly ref struct Operands
{
    private readonly Tensor _a;
    private readonly Tensor? _b, _c, _d;

    [MethodImpl(Hot)]
    public Operands(Tensor a, Tensor? b = null, Tensor? c = null, Tensor? d = null)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    /// <summary>The buffer of the first operand; the kernel finds element 0 through its layout's offset.</summary>
    public nint A => _a.Data;
    /// <summary>The buffer of the second operand.</summary>
    public nint B => _b!.Data;
    /// <summary>The buffer of the third operand.</summary>
    public nint C => _c!.Data;
    /// <summary>The buffer of the fourth operand.</summary>
    public nint D => _d!.Data;

    /// <summary>Element 0 of the (packed) first operand, for a kernel that takes no layout for it.</summary>
    public nint FirstOfA => First(_a);
    /// <summary>Element 0 of the (packed) second operand.</summary>
    public nint FirstOfB => First(_b!);

    /// <summary>Bytes from the start of <paramref name="t"/>'s buffer to its element 0.</summary>
    [MethodImpl(Hot)]
    public static long ByteOffset(Tensor t) => t.Layout.Offset * t.DType.SizeInBytes();

    [MethodImpl(Hot)]
    private static nint First(Tensor t) => t.Data + (nint)ByteOffset(t);

    [MethodImpl(Hot)]
    public void Dispose()
    {
        GC.KeepAlive(_a);
        GC.KeepAlive(_b);
        GC.KeepAlive(_c);
        GC.KeepAlive(_d);
    }
}
