namespace NeuralFlow;

/// <summary>
/// The random numbers of an NF.Function called under a recording GradientTape
/// (<see cref="FunctionGradient"/>): its gradient is a second compiled function that recomputes the
/// forward, and that recomputation must see the numbers the forward drew (a Dropout mask), or the
/// gradient would be that of another function. Each random draw a trace records carries its ordinal,
/// the n-th draw of the C# body (the forward's trace and the gradient's trace run the same body, so
/// ordinals match whatever the plan passes dropped or fused). The forward replay, under
/// <see cref="Note"/>, keeps the (seed, offset) each ordinal drew; the gradient, under
/// <see cref="Reuse"/>, draws those again and advances no generator, in its replays and in its
/// trace run alike.
/// </summary>
internal static class RandomReuse
{
    /// <summary>The (seed, offset) each draw of one forward call used, by ordinal.</summary>
    internal sealed class Draws
    {
        internal readonly Dictionary<int, (ulong Seed, ulong Offset)> ByOrdinal = [];

        public int Count => ByOrdinal.Count;
    }

    [ThreadStatic] private static Draws? _noting;
    [ThreadStatic] private static Draws? _reusing;

    /// <summary>Until disposed, replayed draws are kept in <paramref name="draws"/>.</summary>
    public static IDisposable Note(Draws draws) => Swap(ref _noting, draws, restore: d => _noting = d);

    /// <summary>Until disposed, the draws of <paramref name="draws"/> are drawn again instead of fresh ones.</summary>
    public static IDisposable Reuse(Draws draws) => Swap(ref _reusing, draws, restore: d => _reusing = d);

    private static IDisposable Swap(ref Draws? slot, Draws draws, Action<Draws?> restore)
    {
        var saved = slot;
        slot = draws;
        return new Restore(() => restore(saved));
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            undo();
        }
    }

    /// <summary>A replayed draw of ordinal <paramref name="ordinal"/>: the forward's numbers when reusing, else fresh ones (kept when noting).</summary>
    public static Func<(ulong Seed, ulong Offset)> Wrap(int ordinal, Func<(ulong Seed, ulong Offset)> fresh) => () =>
    {
        if (_reusing is { } reuse && reuse.ByOrdinal.TryGetValue(ordinal, out var again)) return again;
        var drawn = fresh();
        if (_noting is { } note) note.ByOrdinal[ordinal] = drawn;
        return drawn;
    };

    /// <summary>
    /// At a trace, the (seed, offset) draw <paramref name="ordinal"/> runs with: the forward's when
    /// reusing (the eager draw that just advanced a generator is undone by <paramref name="undo"/>),
    /// else the one the op drew.
    /// </summary>
    public static (ulong Seed, ulong Offset) AtTrace(int ordinal, ulong seed, ulong offset, Action? undo)
    {
        if (_reusing is not { } reuse || !reuse.ByOrdinal.TryGetValue(ordinal, out var again)) return (seed, offset);
        undo?.Invoke();
        return again;
    }
}
