namespace NeuralFlow;

/// <summary>
/// Writes whose output may overlap an input. A strided copy (or any kernel) that reads a view of
/// the buffer it is writing reads values it has already overwritten: <c>v.Assign(NF.Transpose(v))</c>
/// gave [[1, 3], [3, 4]] for [[1, 2], [3, 4]]. Such writes go through a temporary, on every backend.
/// </summary>
internal static class Aliasing
{
    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> are views of one buffer whose byte
    /// ranges overlap (NumPy's <c>may_share_memory</c>: by extent, so it may say yes for
    /// interleaved views that never touch the same element; those take the safe path too).
    /// </summary>
    [MethodImpl(Hot)]
    public static bool MayShareMemory(Tensor a, in Layout la, Tensor b, in Layout lb)
    {
        if (!ReferenceEquals(a.Storage, b.Storage)) return false;
        if (la.Shape.Count == 0 || lb.Shape.Count == 0) return false;
        var (aMin, aEnd) = la.Extent();
        var (bMin, bEnd) = lb.Extent();
        int sa = a.DType.SizeInBytes(), sb = b.DType.SizeInBytes();
        return aMin * sa < bEnd * sb && bMin * sb < aEnd * sa;
    }

    /// <summary>
    /// True when element i of one layout is element i of the other for every i (same offset, same
    /// stride on every axis longer than 1): then an elementwise kernel reading one and writing the
    /// other touches each element once, reading it before writing it, and may run in place.
    /// </summary>
    public static bool SameElements(in Layout a, in Layout b)
    {
        if (a.Shape != b.Shape || a.Offset != b.Offset) return false;
        var dims = a.Shape.Dims;
        for (int i = 0; i < dims.Length; i++)
            if (dims[i] > 1 && a.Strides[i] != b.Strides[i]) return false;
        return true;
    }

    /// <summary>A packed copy of <paramref name="t"/> as <paramref name="dtype"/> in a buffer of its own (never a view).</summary>
    public static Tensor FreshCopy(Tensor t, DType dtype)
    {
        var copy = Tensor.Empty(t.Shape, dtype, t.Backend);
        Engine.CopyInto(t, copy);
        return copy;
    }

    /// <summary>
    /// <paramref name="t"/> itself when it is packed in <paramref name="dtype"/> (a placed tensor, not a C# number's),
    /// else <see cref="FreshCopy"/>: what a host call reads (FunctionTrace.RunOnHost). The caller disposes it only when
    /// it is not <paramref name="t"/>.
    /// </summary>
    public static Tensor PackedAs(Tensor t, DType dtype) =>
        t.DType == dtype && t.Layout.IsContiguous && !t.IsWeakScalar ? t : FreshCopy(t, dtype);

    /// <summary>
    /// Copies <paramref name="source"/> (seen through <paramref name="sourceLayout"/>, of the
    /// target's shape) into <paramref name="target"/> (through <paramref name="targetLayout"/>),
    /// via a packed temporary when the two overlap in any way but element for element.
    /// </summary>
    public static void Copy(Tensor source, in Layout sourceLayout, Tensor target, in Layout targetLayout)
    {
        if (MayShareMemory(source, sourceLayout, target, targetLayout) && !SameElements(sourceLayout, targetLayout))
        {
            using var temp = Tensor.Empty(sourceLayout.Shape, source.DType, target.Backend);
            Engine.Copy(source, sourceLayout, temp, temp.Layout);
            Engine.Copy(temp, temp.Layout, target, targetLayout);
        }
        else
        {
            Engine.Copy(source, sourceLayout, target, targetLayout);
        }
    }
}
