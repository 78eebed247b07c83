using System.Runtime.InteropServices;

namespace NeuralFlow.Backends;

/// <summary>
/// A backend's buffer, owned through a <see cref="SafeHandle"/>: <c>Dispose</c> frees it at
/// once, the finalizer is the safety net for tensors nobody disposed. A loop that never disposes
/// (the workshop's, as written) still runs in bounded, cache-sized memory: when the bytes held by
/// live buffers have grown by <see cref="CollectionBudgetBytes"/> since the last collection, a
/// young-generation collection runs, so the finalizers of unreachable tensors return their
/// buffers to the allocator, which hands the same (cache-warm) blocks to the next steps.
/// </summary>
/// <remarks>
/// Why growth and a small budget: a training step allocates the same buffers every step, so
/// without disposal the held bytes grow by the step's temporaries until something collects.
/// Waiting for hundreds of megabytes (the former rule) made every step touch cold memory, and
/// the first pass over fresh pages costs a page fault each: the undisposed workshop loop ran
/// 15-20% slower than the same loop in a <see cref="TensorScope"/>. A collection that frees less
/// than half of the growth means the program is keeping what it allocates (a dataset being
/// built), so the budget doubles, up to the held bytes themselves; one that frees most of it
/// brings the budget back. <c>GC.AddMemoryPressure</c> is not used: it counts additions, not
/// what is still held, and induced a blocking full collection every few steps even when every
/// buffer was disposed at once.
/// </remarks>
public abstract class DeviceBuffer : SafeHandle
{
    /// <summary>Wraps <paramref name="pointer"/>, a block of <paramref name="bytes"/> bytes.</summary>
    [MethodImpl(Hot)]
    protected DeviceBuffer(nint pointer, long bytes) : base(0, ownsHandle: true)
    {
        SetHandle(pointer);
        Bytes = bytes;
        long live = Interlocked.Add(ref _liveBytes, bytes);
        for (long peak = Volatile.Read(ref _peakBytes); live > peak; peak = Volatile.Read(ref _peakBytes))
            if (Interlocked.CompareExchange(ref _peakBytes, live, peak) == peak) break;
        if (live > Volatile.Read(ref _nextCollection)) CollectGarbageTensors(live);
    }

    private static long _liveBytes;
    private static long _heldAfterCollection;
    private static long _budget = CollectionBudgetBytes;
    private static long _nextCollection = CollectionBudgetBytes;
    private static int _collecting;
    private static int _youngCollections;

    /// <summary>Growth of the bytes held by live buffers that triggers a collection of garbage tensors (at the smallest budget).</summary>
    public const long CollectionBudgetBytes = 32L << 20;

    /// <summary>Bytes currently held by undisposed, unfinalized buffers of every backend.</summary>
    public static long LiveBytes => Interlocked.Read(ref _liveBytes);

    private static long _peakBytes;

    /// <summary>
    /// The most <see cref="LiveBytes"/> held at once since <see cref="ResetPeak"/> (process-wide):
    /// what a training step needed at its high point, im2col buffers and gradients included.
    /// </summary>
    public static long PeakLiveBytes => Interlocked.Read(ref _peakBytes);

    /// <summary>Starts a new <see cref="PeakLiveBytes"/> measurement from the bytes held now.</summary>
    public static void ResetPeak() => Interlocked.Exchange(ref _peakBytes, LiveBytes);

    [MethodImpl(Hot)]
    private static void CollectGarbageTensors(long live)
    {
        if (Interlocked.Exchange(ref _collecting, 1) == 1) return;
        try
        {
            // Tensors of the last steps die young: a generation-1 collection finds them at a
            // fraction of a full one's cost. Every 16th (and any that frees too little) is full,
            // for tensors that lived long enough to be promoted before they died.
            bool full = ++_youngCollections % 16 == 0;
            GC.Collect(full ? GC.MaxGeneration : 1, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
            long held = Interlocked.Read(ref _liveBytes);
            long grown = live - _heldAfterCollection, freed = live - held;
            if (!full && freed * 2 < grown)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                held = Interlocked.Read(ref _liveBytes);
                freed = live - held;
            }
            _budget = freed * 2 >= grown ? CollectionBudgetBytes : Math.Min(Math.Max(_budget * 2, CollectionBudgetBytes), Math.Max(held, CollectionBudgetBytes));
            _heldAfterCollection = held;
            Volatile.Write(ref _nextCollection, held + _budget);
        }
        finally
        {
            Volatile.Write(ref _collecting, 0);
        }
    }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The address of the first byte.</summary>
    public nint Pointer => handle;

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Returns the block to its allocator.</summary>
    protected abstract void Free(nint pointer);

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        long live = Interlocked.Add(ref _liveBytes, -Bytes);
        // Buffers disposed explicitly lower the bar too: the next collection comes after the
        // budget's growth above what is held now, not above an earlier peak (a dataset loaded and
        // disposed would otherwise let undisposed temporaries pile up to that peak first).
        // The budget never exceeds what is held (the rule a collection applies): a budget grown
        // while a big dataset was held shrinks back once it is released.
        long budget = Volatile.Read(ref _budget), cap = Math.Max(live, CollectionBudgetBytes);
        if (budget > cap && Interlocked.CompareExchange(ref _budget, cap, budget) == budget) budget = cap;
        long next = Volatile.Read(ref _nextCollection);
        if (live + budget < next && Interlocked.CompareExchange(ref _nextCollection, live + budget, next) == next
            && live < Volatile.Read(ref _heldAfterCollection))
            Volatile.Write(ref _heldAfterCollection, live);
        return true;
    }
}
