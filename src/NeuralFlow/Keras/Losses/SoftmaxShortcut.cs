namespace NeuralFlow.Keras;

/// <summary>
/// The cross-entropy losses feed the logits behind a last-axis softmax to the fused, stable
/// kernel, as Keras does for a softmax output layer. Only softmax outputs carry their logits
/// (as this subclass of <see cref="Tensor"/>): no other tensor pays a field for it.
/// </summary>
internal sealed class SoftmaxOutput : Tensor
{
    private readonly Tensor _logits;
    private readonly BufferVersion _logitsAt;
    private readonly BufferVersion _selfAt;

    /// <summary>A fresh, uninitialised result for the softmax of <paramref name="logits"/> along the last axis.</summary>
    [MethodImpl(Hot)]
    public SoftmaxOutput(Tensor logits)
        : base(new Storage(logits.Backend, logits.Shape.ByteCount(logits.DType)), Layout.Contiguous(logits.Shape), logits.DType)
    {
        _logits = logits;
        _logitsAt = BufferVersion.Of(logits);
        _selfAt = BufferVersion.Of(this);
    }

    /// <summary>
    /// The logits these probabilities came from; null once either tensor was written in place
    /// (a variable's assign, say) since the softmax ran, or disposed.
    /// </summary>
    public Tensor? Logits
    {
        [MethodImpl(Hot)]
        get
        {
            if (_logits.IsDisposed || IsDisposed) return null;
            return _logitsAt.Matches(_logits) && _selfAt.Matches(this) ? _logits : null;
        }
    }

    /// <summary>Which buffer a tensor read and at which version: equal later only if nothing wrote it since.</summary>
    private readonly record struct BufferVersion(Storage Storage, long Version)
    {
        public static BufferVersion Of(Tensor t) => new(t.Storage, t.Storage.Version);
        public bool Matches(Tensor t) => ReferenceEquals(t.Storage, Storage) && t.Storage.Version == Version;
    }
}

internal static class SoftmaxShortcut
{
    extension(Tensor probabilities)
    {
        /// <summary>For the output of a last-axis softmax, the logits it came from (see <see cref="SoftmaxOutput.Logits"/>); else null.</summary>
        internal Tensor? SoftmaxOf
        {
            [MethodImpl(Hot)]
            get => (probabilities as SoftmaxOutput)?.Logits;
        }
    }
}
