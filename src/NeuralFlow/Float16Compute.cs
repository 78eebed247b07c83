using System.Diagnostics.CodeAnalysis;

namespace NeuralFlow;

/// <summary>
/// The one place float16 is computed: float16 is a storage dtype (the backends' Cast, Copy and
/// Fill take it, nothing else), and every Engine entry point that meets a float16 operand runs
/// its float32 kernel on float32 stand-ins made here, then rounds the float32 results to
/// float16 once (what PyTorch's CPU half ops do; so reductions and matmul accumulate in float32).
/// <para>
/// A stand-in is a float32 copy of the operand's whole buffer viewed through the operand's own
/// layout, so a layout the caller passes beside a tensor (a transposed matmul operand, a
/// broadcast) indexes the copy exactly as it indexes the original, and operands sharing a
/// buffer (an in-place update) share one copy. The copy costs a pass over the buffer, never a
/// change of results: float16 to float32 is exact. Dispose writes the outputs back.
/// </para>
/// </summary>
internal sealed class Float16Compute : IDisposable
{
    // One float32 copy per float16 buffer met; Write marks those that go back on Dispose.
    // (The float16 tensor is the caller's, alive for this scope; its buffer is what is copied.)
    private readonly List<(Tensor Half, Tensor Wide, bool Write)> _copies = new(4);
    private readonly List<Tensor> _views = new(4);

    /// <summary>True when one of the tensors is float16: the caller then computes through a <see cref="Float16Compute"/>.</summary>
    [MethodImpl(Hot)]
    public static bool Involves(Tensor? a, Tensor? b = null, Tensor? c = null, Tensor? d = null) =>
        a?.DType == DType.Float16 || b?.DType == DType.Float16 || c?.DType == DType.Float16 || d?.DType == DType.Float16;

    /// <summary>An operand the kernel reads: float32 values of <paramref name="t"/> (t itself unless float16).</summary>
    [return: NotNullIfNotNull(nameof(t))]
    public Tensor? In(Tensor? t) => t is null ? null : StandIn(t, read: true, write: false);

    /// <summary>A fresh result the kernel only writes; its values are rounded into <paramref name="t"/> on Dispose.</summary>
    [return: NotNullIfNotNull(nameof(t))]
    public Tensor? Out(Tensor? t) => t is null ? null : StandIn(t, read: false, write: true);

    /// <summary>A result the kernel reads and updates (accumulated into, or updated in place).</summary>
    [return: NotNullIfNotNull(nameof(t))]
    public Tensor? InOut(Tensor? t) => t is null ? null : StandIn(t, read: true, write: true);

    private Tensor StandIn(Tensor t, bool read, bool write)
    {
        if (t.DType != DType.Float16) return t;
        var half = t.Storage;
        int at = _copies.FindIndex(c => ReferenceEquals(c.Half.Storage, half));
        if (at < 0)
        {
            var wide = Tensor.Empty(new Shape(Elements(half)), DType.Float32, t.Backend);
            if (read || !CoversBuffer(t)) CastFlat(t, wide, toHalf: false);
            _copies.Add((t, wide, write));
            at = _copies.Count - 1;
        }
        else if (write)
        {
            _copies[at] = _copies[at] with { Write = true };
        }
        var view = _copies[at].Wide.View(t.Layout);
        _views.Add(view);
        return view;
    }

    // A result that fills its whole buffer needs no copy in: the kernel overwrites every element.
    private static bool CoversBuffer(Tensor t) =>
        t.IsContiguous && t.Layout.Offset == 0 && t.Count == Elements(t.Storage);

    private static int Elements(Storage s) => checked((int)(s.Bytes / DType.Float16.SizeInBytes()));

    // Converts between the whole float16 buffer behind `half` and the float32 copy `wide`.
    private static void CastFlat(Tensor half, Tensor wide, bool toHalf)
    {
        using var flat = half.View(Layout.Contiguous(wide.Shape));
        if (toHalf) Engine.Cast(wide, flat);
        else Engine.Cast(flat, wide);
    }

    /// <summary>A fresh float16 tensor rounded from the float32 result <paramref name="wide"/> of a kernel run on stand-ins; disposes <paramref name="wide"/>.</summary>
    public static Tensor Narrowed(Tensor wide)
    {
        using (wide)
        {
            if (wide.DType != DType.Float32) return wide.View(wide.Layout);  // integer and bool results stay as they are
            var result = Tensor.Empty(wide.Shape, DType.Float16, wide.Backend);
            Engine.Cast(wide, result);
            return result;
        }
    }

    /// <summary>Rounds each written float32 copy back into its float16 buffer, once, and frees the copies.</summary>
    public void Dispose()
    {
        foreach (var v in _views) v.Dispose();
        foreach (var (half, wide, write) in _copies)
        {
            if (write) CastFlat(half, wide, toHalf: true);
            wide.Dispose();
        }
    }
}
