namespace NeuralFlow.Backends;

/// <summary>
/// The operands of one <see cref="IBackend.GatherMatMul"/> call: a traced step's row gather
/// g = x[indices] (<see cref="IBackend.Gather"/> along axis 0) and one matrix product that reads
/// g as its first operand, g @ b or g^T @ b (issue 17: Fit's shuffled batches feed the first dense
/// layer's forward and weight gradient). The gather's packed result G is kept in the plan: a
/// backend that runs the calls separately gathers into it (<see cref="GatherFirst"/>, the first
/// product in the plan) and multiplies from it; the CPU engine's kernel reads x's rows through the
/// indices and never touches it.
/// </summary>
public readonly struct GatherMatMulCall
{
    /// <summary>The element type of x, b and the output.</summary>
    public DType DType { get; init; }
    /// <summary>x, whose rows are gathered.</summary>
    public nint X { get; init; }
    /// <summary>x's layout as the gather read it (any rank; rows along axis 0).</summary>
    public Layout XLayout { get; init; }
    /// <summary>x viewed as [L, K] with unit column stride: the layout the fused kernel takes.</summary>
    public Layout XRows { get; init; }
    /// <summary>The indices' element type (Int32 or Int64).</summary>
    public DType IndexDType { get; init; }
    /// <summary>The contiguous indices.</summary>
    public nint Indices { get; init; }
    /// <summary>How many rows are gathered (n).</summary>
    public long IndexCount { get; init; }
    /// <summary>The gather's packed result (the shape of x with n rows).</summary>
    public nint G { get; init; }
    /// <summary>G as the product read it: [n, K] row-major, or [K, n] (its transpose) when <see cref="TransposeG"/>.</summary>
    public Layout GLayout { get; init; }
    /// <summary>True for g^T @ b (a weight gradient).</summary>
    public bool TransposeG { get; init; }
    /// <summary>The product's second operand.</summary>
    public nint B { get; init; }
    /// <summary>b's layout.</summary>
    public Layout BLayout { get; init; }
    /// <summary>The product.</summary>
    public nint Output { get; init; }
    /// <summary>The product's layout.</summary>
    public Layout OutLayout { get; init; }
    /// <summary>This call is the first of the gather's products in the plan: run separately, it gathers into G first.</summary>
    public bool GatherFirst { get; init; }

    /// <summary>The separate calls: the gather into G (when <paramref name="gather"/>), then the product from G.</summary>
    public void RunSeparately(IBackend backend, bool gather)
    {
        if (gather) backend.Gather(DType, X, XLayout, 0, IndexDType, Indices, IndexCount, G);
        backend.MatMul(DType, G, GLayout, B, BLayout, Output, OutLayout);
    }
}
