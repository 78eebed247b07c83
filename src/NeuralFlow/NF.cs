using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// The operations of NeuralFlow, as TensorFlow's <c>tf.*</c> functions: creation, math,
/// reductions, shape manipulation, indexing, linear algebra and random numbers. Split into
/// one partial file per family.
/// </summary>
public static partial class NF
{
    private static readonly AsyncLocal<IBackend?> ScopedBackend = new();

    /// <summary>
    /// The backend new tensors are made on: the innermost <see cref="UseBackend(string)"/> scope,
    /// else the default (<c>NEURALFLOW_BACKEND</c>, else the best that loads).
    /// </summary>
    public static IBackend Backend => ScopedBackend.Value ?? BackendRegistry.Default;

    /// <summary>Makes new tensors on <paramref name="name"/> ("managed", "cpu") until the scope is disposed.</summary>
    [MethodImpl(Hot)]
    public static IDisposable UseBackend(string name) => UseBackend(BackendRegistry.Get(name));

    /// <summary>Makes new tensors on <paramref name="backend"/> until the scope is disposed.</summary>
    [MethodImpl(Hot)]
    public static IDisposable UseBackend(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var scope = new BackendScope(ScopedBackend.Value);
        ScopedBackend.Value = backend;
        return scope;
    }

    private sealed class BackendScope(IBackend? previous) : IDisposable
    {
        private bool _done;
        [MethodImpl(Hot)]
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            ScopedBackend.Value = previous;
        }
    }
}
