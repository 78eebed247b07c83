namespace NeuralFlow.Backends;

/// <summary>Cumulative scans (the C ABI's <c>nf_scan_op</c>).</summary>
public enum ScanOp
{
    /// <summary>Running sum (<c>tf.math.cumsum</c>).</summary>
    Sum = 0,
    /// <summary>Running product (<c>tf.math.cumprod</c>).</summary>
    Prod = 1,
}
