namespace NeuralFlow.Keras;

/// <summary>
/// The class ids a kernel has just checked to be in [0, classes) (sparse softmax cross-entropy
/// refuses bad labels itself, on every engine, eagerly and at each NF.Function replay). A metric
/// of the same step (sparse accuracy) that would check the same labels again skips its own check,
/// which is a read of two numbers on the host: under NF.Function that read would be replayed
/// after every step, a device sync per step that Fit otherwise avoids (issue 17: Fit reads from
/// the device only when a callback or the progress bar needs the logs).
/// </summary>
/// <remarks>
/// One entry per thread, the last labels checked; it holds the storage weakly and its version,
/// so labels written since, or other labels in a reused buffer, are never taken as checked.
/// </remarks>
internal static class CheckedLabels
{
    private sealed class Entry
    {
        public readonly WeakReference<Storage> Storage = new(null!);
        public long Version;
        public Layout Layout;
        public int Classes;
    }

    [ThreadStatic] private static Entry? _last;

    /// <summary>Notes that every value of <paramref name="labels"/> was checked to be in [0, <paramref name="classes"/>).</summary>
    public static void Note(Tensor labels, int classes)
    {
        var entry = _last ??= new Entry();
        entry.Storage.SetTarget(labels.Storage);
        entry.Version = labels.Storage.Version;
        entry.Layout = labels.Layout;
        entry.Classes = classes;
    }

    /// <summary>True when <paramref name="labels"/> are values already checked to be in [0, <paramref name="classes"/>) and not written since.</summary>
    public static bool Cover(Tensor labels, int classes)
    {
        if (_last is not { } entry || !entry.Storage.TryGetTarget(out var storage)) return false;
        if (!ReferenceEquals(storage, labels.Storage) || storage.Version != entry.Version || entry.Classes > classes) return false;
        var (noted, given) = (entry.Layout, labels.Layout);
        // The same elements: the same view, or packed views of one run of elements (a squeezed [N, 1]).
        return noted.Offset == given.Offset &&
               (noted.IsContiguous && given.IsContiguous ? noted.Shape.Count == given.Shape.Count
                                                         : noted.Shape == given.Shape && noted.Strides.AsSpan().SequenceEqual(given.Strides));
    }
}
