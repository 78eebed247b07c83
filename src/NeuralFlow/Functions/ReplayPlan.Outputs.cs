using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// Issue 17: a replay's outputs reuse the previous replay's buffers once the caller has let go
/// of them. The plan keeps one reference of its own on each output storage it handed out; when
/// that is the only one left at the next replay (the caller disposed every tensor and view of
/// it, e.g. with <c>using</c> or a TensorScope), the buffer is handed out again instead of
/// allocating. A buffer the caller still holds, or a gradient tape saved, is never reused: that
/// replay allocates a fresh one. Tensors left to the GC keep their buffers and are freed by it.
/// </summary>
internal sealed partial class ReplayPlan
{
    private Storage?[]? _lastOutputs;

    /// <summary>Output <paramref name="index"/>'s storage for this replay, holding one reference for the caller's tensor.</summary>
    private Storage OutputStorage(int index, IBackend backend, long bytes)
    {
        var held = _lastOutputs ??= new Storage?[_outputs.Length];
        var previous = held[index];
        if (previous is not null && previous.RefCount == 1 && !previous.SavedByTape)
        {
            previous.AddRef();         // the caller's new tensor takes this one
            previous.BumpVersion();    // new contents: whatever recorded the old ones sees a change
            return previous;
        }
        previous?.Release();           // the caller's tensors (or the GC) free it
        var fresh = new Storage(backend, bytes);
        fresh.AddRef();                // the plan's own
        held[index] = fresh;
        return fresh;
    }

    /// <summary>True when output <paramref name="index"/> of the next replay would reuse the previous one's buffer (tests).</summary>
    internal bool ReusesOutput(int index) => _lastOutputs?[index] is { RefCount: 1, SavedByTape: false };
}
