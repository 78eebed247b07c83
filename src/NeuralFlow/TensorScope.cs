namespace NeuralFlow;

/// <summary>
/// Disposes, when it ends, every tensor made while it was the innermost scope (TorchSharp's
/// dispose scope). Variables are never collected: they outlive steps by design.
/// <c>Fit</c> runs each training step in one, so per-step temporaries are freed at once;
/// user loops may do the same. <see cref="Keep"/> lets a tensor escape.
/// </summary>
/// <remarks>
/// The current scope follows the async flow (an <see cref="AsyncLocal{T}"/>), not the thread:
/// code after an <c>await</c> inside <c>using (TensorScope.Begin())</c> still belongs to the
/// scope even when it resumes on another thread, disposing the scope there restores the outer
/// scope for that flow, and the thread that began it is left with its own outer scope (a
/// thread-static scope disposed on another thread stayed current on the first one, which then
/// kept every later tensor forever). Tasks started inside a scope share it, so its list is
/// locked. A scope disposed while some flow still has it as current is skipped by that flow.
/// </remarks>
public sealed class TensorScope : IDisposable
{
    private static readonly AsyncLocal<TensorScope?> _current = new();

    private readonly TensorScope? _outer;
    private readonly List<Tensor> _tensors = [];
    private bool _disposed; // under lock (_tensors)

    private TensorScope(TensorScope? outer)
    {
        _outer = outer;
        _current.Value = this;
    }

    /// <summary>Starts a scope in this async flow (this thread, and the code that awaits from it).</summary>
    [MethodImpl(Hot)]
    public static TensorScope Begin() => new(Current);

    /// <summary>
    /// The innermost scope that has not ended. A scope ended elsewhere (on another thread, or by
    /// a flow it was shared with) is skipped, and this flow forgets it.
    /// </summary>
    private static TensorScope? Current
    {
        get
        {
            var scope = _current.Value;
            if (scope is null || !scope.IsDisposed) return scope;
            var live = scope._outer;
            while (live is { IsDisposed: true }) live = live._outer;
            _current.Value = live;
            return live;
        }
    }

    private bool IsDisposed { get { lock (_tensors) return _disposed; } }

    /// <summary>
    /// Runs the rest of the calling flow with no scope: for a long-lived worker (a prefetch
    /// thread) started from inside a scope, whose tensors belong to nobody's step.
    /// </summary>
    internal static void Detach() => _current.Value = null;

    /// <summary>
    /// Runs what follows with no scope until the returned value is disposed (`using (TensorScope.Suspend())`), which
    /// restores the caller's: for code that makes tensors meant to outlive the caller's scope (a pipeline's buffered
    /// elements). A struct, so the per-batch callers allocate nothing.
    /// </summary>
    internal static Suspension Suspend()
    {
        var saved = _current.Value;
        _current.Value = null;
        return new Suspension(saved);
    }

    internal readonly struct Suspension(TensorScope? saved) : IDisposable
    {
        public void Dispose() => _current.Value = saved;
    }

    [MethodImpl(Hot)]
    internal static void Track(Tensor tensor) => AddToLive(_current.Value, tensor);

    // Records the tensor in the innermost scope from `start` outwards that has not ended.
    [MethodImpl(Hot)]
    private static void AddToLive(TensorScope? start, Tensor tensor)
    {
        for (var scope = start; scope is not null; scope = scope._outer)
            lock (scope._tensors)
                if (!scope._disposed)
                {
                    scope._tensors.Add(tensor);
                    return;
                }
    }

    /// <summary>Number of tensors this scope will dispose.</summary>
    public int Count { get { lock (_tensors) return _tensors.Count; } }

    /// <summary>Lets <paramref name="tensor"/> outlive this scope (it moves to the enclosing scope, if any).</summary>
    public T Keep<T>(T tensor) where T : Tensor
    {
        bool found;
        lock (_tensors)
        {
            int i = _tensors.FindLastIndex(t => ReferenceEquals(t, tensor));
            found = i >= 0;
            if (found) _tensors.RemoveAt(i);
        }
        if (found) AddToLive(_outer, tensor);
        // A Keras mask rides with its tensor (Layer.MaskOf), so it escapes with it.
        if (Keras.Layer.MaskOf(tensor) is { } mask && !ReferenceEquals(mask, tensor)) Keep(mask);
        return tensor;
    }

    /// <summary>
    /// Lets <paramref name="tensor"/> outlive the current scope when that scope made it, and says
    /// whether it did (the caller then owns it); a tensor made elsewhere (a variable) is left alone.
    /// </summary>
    internal static bool KeepFromCurrent(Tensor tensor)
    {
        if (Current is not { } scope || !scope.Created(tensor)) return false;
        scope.Keep(tensor);
        return true;
    }

    /// <summary>True when <paramref name="tensor"/> was made while this scope was the innermost one.</summary>
    internal bool Created(Tensor tensor)
    {
        lock (_tensors)
            foreach (var t in _tensors)
                if (ReferenceEquals(t, tensor)) return true;
        return false;
    }

    /// <summary>Ends the scope, disposing what it recorded except <paramref name="keep"/> (which the caller then owns).</summary>
    [MethodImpl(Hot)]
    internal void DisposeExcept(IReadOnlyCollection<Tensor> keep)
    {
        Tensor[] recorded;
        lock (_tensors)
        {
            if (_disposed) return;
            _disposed = true;
            recorded = [.. _tensors];
            _tensors.Clear();
        }
        _ = Current; // this flow moves on to the innermost live scope (this one is now ended)
        foreach (var t in recorded)
            if (!keep.Contains(t, ReferenceEqualityComparer.Instance)) t.Dispose();
    }

    /// <summary>Disposes the tensors made inside the scope and restores the enclosing one.</summary>
    [MethodImpl(Hot)]
    public void Dispose() => DisposeExcept([]);
}
