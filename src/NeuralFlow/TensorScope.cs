namespace NeuralFlow;

/// <summary>
/// Disposes, when it ends, every tensor made on this thread while it was the innermost scope
/// (TorchSharp's dispose scope). Variables are never collected: they outlive steps by design.
/// <c>Fit</c> runs each training step in one, so per-step temporaries are freed at once;
/// user loops may do the same. <see cref="Keep"/> lets a tensor escape.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _tensors = [];
    private bool _disposed;

    private TensorScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>Starts a scope on this thread.</summary>
    public static TensorScope Begin() => new();

    internal static void Track(Tensor tensor) => _current?._tensors.Add(tensor);

    /// <summary>Number of tensors this scope will dispose.</summary>
    public int Count => _tensors.Count;

    /// <summary>Lets <paramref name="tensor"/> outlive this scope (it moves to the enclosing scope, if any).</summary>
    public T Keep<T>(T tensor) where T : Tensor
    {
        int i = _tensors.FindLastIndex(t => ReferenceEquals(t, tensor));
        if (i >= 0)
        {
            _tensors.RemoveAt(i);
            _outer?._tensors.Add(tensor);
        }
        return tensor;
    }

    /// <summary>True when <paramref name="tensor"/> was made while this scope was the innermost one.</summary>
    internal bool Created(Tensor tensor)
    {
        foreach (var t in _tensors)
            if (ReferenceEquals(t, tensor)) return true;
        return false;
    }

    /// <summary>Ends the scope, disposing what it recorded except <paramref name="keep"/> (which the caller then owns).</summary>
    internal void DisposeExcept(IReadOnlyCollection<Tensor> keep)
    {
        if (_disposed) return;
        _disposed = true;
        if (ReferenceEquals(_current, this)) _current = _outer;
        foreach (var t in _tensors)
            if (!keep.Contains(t, ReferenceEqualityComparer.Instance)) t.Dispose();
        _tensors.Clear();
    }

    /// <summary>Disposes the tensors made inside the scope and restores the enclosing one.</summary>
    public void Dispose() => DisposeExcept([]);
}
