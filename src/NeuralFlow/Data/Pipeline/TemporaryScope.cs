namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Records every tensor created on this thread while it is open, so that a pipeline can
/// dispose the temporaries a user function made (the reshape, the cast, the weak scalar of
/// <c>x / 255f</c>) as soon as the function returns, instead of leaving them to the GC.
/// Scopes nest; each thread has its own (a <c>[ThreadStatic]</c> chain), so parallel map
/// workers and the prefetch thread never see each other's tensors.
/// </summary>
internal sealed class TemporaryScope : IDisposable
{
    [ThreadStatic] private static TemporaryScope? _current;

    private readonly TemporaryScope? _parent;
    private readonly List<Tensor> _created = [];
    private bool _closed;

    private TemporaryScope(TemporaryScope? parent) => _parent = parent;

    /// <summary>Opens a scope on this thread; dispose it (on the same thread) to close it.</summary>
    public static TemporaryScope Begin() => _current = new TemporaryScope(_current);

    /// <summary>Called by every <see cref="Tensor"/> constructor; a no-op outside a scope.</summary>
    internal static void Register(Tensor tensor) => _current?._created.Add(tensor);

    /// <summary>True when <paramref name="tensor"/> was created while this scope was open.</summary>
    public bool Created(Tensor tensor)
    {
        foreach (var t in _created)
            if (ReferenceEquals(t, tensor)) return true;
        return false;
    }

    /// <summary>Closes the scope and disposes what it recorded, except <paramref name="keep"/>.</summary>
    public void DisposeExcept(IReadOnlyCollection<Tensor> keep)
    {
        Close();
        foreach (var t in _created)
            if (!keep.Contains(t, ReferenceEqualityComparer.Instance)) t.Dispose();
        _created.Clear();
    }

    private void Close()
    {
        if (_closed) return;
        _closed = true;
        if (ReferenceEquals(_current, this)) _current = _parent;
    }

    /// <summary>Closes the scope and disposes everything it recorded (the error path).</summary>
    public void Dispose() => DisposeExcept([]);
}
