namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// One component of an element travelling through a pipeline: either a tensor owned by
/// whoever holds the element, or a lazy "row <see cref="Index"/> of <see cref="Base"/>" that
/// costs nothing until it is needed (so that a batch of rows can be one gather or one view).
/// </summary>
internal readonly struct Part
{
    private Part(Tensor? tensor, Tensor? @base, int index)
    {
        Tensor = tensor;
        Base = @base;
        Index = index;
    }

    /// <summary>An owned tensor: the holder must dispose it or hand it on.</summary>
    public static Part Owned(Tensor tensor) => new(tensor, null, -1);

    /// <summary>Row <paramref name="index"/> of <paramref name="base"/>, which the pipeline does not own.</summary>
    public static Part Row(Tensor @base, int index) => new(null, @base, index);

    public Tensor? Tensor { get; }
    public Tensor? Base { get; }
    public int Index { get; }
    public bool IsRow => Base is not null;

    /// <summary>The component as a tensor the caller owns: the owned tensor itself, or a new view of the row.</summary>
    public Tensor Take() => Tensor ?? Base!.View(Base.Layout.Select(0, Index));

    /// <summary>A second handle on the same data, owned separately (for <c>Cache</c>).</summary>
    public Part Share() => Tensor is null ? this : Owned(Tensor.View(Tensor.Layout));

    public Shape Shape => Tensor?.Shape ?? Shape.Create(Base!.Shape.Dims[1..]);

    /// <summary>The component's dtype: <see cref="DType.String"/> for a string carrier (<see cref="StringCarrier"/>).</summary>
    public DType DType => Tensor is { } t && RaggedCarrier.Of(t) is { } ragged ? ragged.DType : StringCarrier.DTypeOf(Tensor ?? Base!);

    public void Dispose() => Tensor?.Dispose();
}

/// <summary>Helpers for elements (arrays of parts, one per component).</summary>
internal static class Element
{
    public static void Dispose(Part[]? element)
    {
        if (element is null) return;
        foreach (var p in element) p.Dispose();
    }

    public static void DisposeAll(IEnumerable<Part[]> elements)
    {
        foreach (var e in elements) Dispose(e);
    }

    /// <summary>Every component as a tensor the caller owns (the element is consumed).</summary>
    public static Tensor[] Take(Part[] element)
    {
        var result = new Tensor[element.Length];
        for (int i = 0; i < element.Length; i++) result[i] = element[i].Take();
        return result;
    }

    public static Part[] Own(Tensor[] tensors)
    {
        var result = new Part[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) result[i] = Part.Owned(tensors[i]);
        return result;
    }
}
