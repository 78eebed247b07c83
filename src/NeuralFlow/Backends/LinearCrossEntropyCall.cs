namespace NeuralFlow.Backends;

/// <summary>
/// The operands of one <see cref="IBackend.LinearCrossEntropy"/> call: the calls of a traced
/// training step of a linear layer with sparse softmax cross-entropy, as recorded (issue 17's
/// full-batch logistic regression): logits0 = x @ w, logits = logits0 + bias, (loss, grad) =
/// cross-entropy of logits against labels, dlogits = scale * grad, dw = x^T @ dlogits. The
/// intermediates are contiguous [N, C] buffers; a fused kernel writes only those
/// <see cref="Keep"/> names (others read them), the separate calls write all of them.
/// </summary>
public readonly struct LinearCrossEntropyCall
{
    /// <summary>Float32 or Float64 (the CPU engine fuses Float32; the rest runs separately).</summary>
    public DType DType { get; init; }
    /// <summary>x [N, K] as the logits product read it, and x^T [K, N] as the gradient product read it (the same buffer).</summary>
    public nint X { get; init; }
    /// <summary>x's layout in the logits product, [N, K].</summary>
    public Layout XLayout { get; init; }
    /// <summary>x's layout in the weight-gradient product, [K, N] (x transposed).</summary>
    public Layout XtLayout { get; init; }
    /// <summary>w [K, C].</summary>
    public nint W { get; init; }
    /// <summary>w's layout, [K, C].</summary>
    public Layout WLayout { get; init; }
    /// <summary>The bias as the add read it ([N, C], broadcasts stride 0); 0: no bias (logits0 is the logits).</summary>
    public nint Bias { get; init; }
    /// <summary>The bias's layout as the add read it.</summary>
    public Layout BiasLayout { get; init; }
    /// <summary>The contiguous [N] class indices (Int32, Int64 or UInt8).</summary>
    public DType LabelDType { get; init; }
    /// <summary>The labels' buffer.</summary>
    public nint Labels { get; init; }
    /// <summary>The loss's upstream gradient as the multiply read it ([N, C], broadcasts stride 0).</summary>
    public nint Scale { get; init; }
    /// <summary>The scale's layout as the multiply read it.</summary>
    public Layout ScaleLayout { get; init; }
    /// <summary>The intermediates, contiguous [N, C] (Logits0 only with a bias).</summary>
    public nint Logits0 { get; init; }
    /// <summary>logits0 + bias (logits0 without a bias).</summary>
    public nint Logits { get; init; }
    /// <summary>softmax(logits) - onehot(labels).</summary>
    public nint Grad { get; init; }
    /// <summary>scale * grad.</summary>
    public nint DLogits { get; init; }
    /// <summary>The loss per row, [N].</summary>
    public nint Loss { get; init; }
    /// <summary>The weight gradient [K, C].</summary>
    public nint DW { get; init; }
    /// <summary>The weight gradient's layout (the CPU kernel writes a contiguous one; others run separately).</summary>
    public Layout DWLayout { get; init; }
    /// <summary>The intermediates other calls read, which a fused kernel must write too.</summary>
    public LinearCrossEntropyKeep Keep { get; init; }

    /// <summary>The logits' layout: contiguous [N, C].</summary>
    public Layout LogitsLayout => Layout.Contiguous(new Shape(XLayout.Shape[0], WLayout.Shape[1]));

    /// <summary>The separate calls on <paramref name="backend"/>, in the order a traced step makes them.</summary>
    public void RunSeparately(IBackend backend)
    {
        var l = LogitsLayout;
        backend.MatMul(DType, X, XLayout, W, WLayout, Bias != 0 ? Logits0 : Logits, l);
        if (Bias != 0) backend.Binary(BinaryOp.Add, DType, Logits0, l, Bias, BiasLayout, Logits, l);
        backend.SoftmaxCrossEntropy(DType, Logits, l, LabelDType, Labels, true, Loss, Grad);
        backend.Binary(BinaryOp.Mul, DType, Scale, ScaleLayout, Grad, l, DLogits, l);
        backend.MatMul(DType, X, XtLayout, DLogits, l, DW, DWLayout);
    }
}

/// <summary>Which intermediates of a <see cref="LinearCrossEntropyCall"/> other calls read.</summary>
[Flags]
public enum LinearCrossEntropyKeep
{
    /// <summary>Only the loss and the weight gradient.</summary>
    None = 0,
    /// <summary>The logits (after the bias).</summary>
    Logits = 1,
    /// <summary>The cross-entropy's gradient.</summary>
    Grad = 2,
    /// <summary>The scaled gradient.</summary>
    DLogits = 4,
}
