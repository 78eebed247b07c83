namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>snapshot(path)</c>: the first complete pass writes its elements to <paramref name="path"/> as a
/// saved dataset (<see cref="SavedDataset"/>) while yielding them, and every later pass, in this run
/// or a later one, reads them from there instead of running the upstream.
/// </summary>
/// <remarks>
/// A pass writes into a hidden directory renamed to <paramref name="path"/> only when the pass has
/// ended, so a pass left early, a failure or a killed run leaves nothing a later pass reads: that
/// pass writes the snapshot afresh. TensorFlow keys a snapshot by a fingerprint of the dataset's
/// graph; NeuralFlow cannot fingerprint a C# Map function, so here the path is the key, and what
/// can be checked is: a snapshot whose element spec (structure, keys, dtypes, shapes) differs from
/// the upstream's, or whose element count differs from the upstream's known cardinality, is refused
/// naming both (it was written for another pipeline). Delete it, or give another path, when the data changes.
/// </remarks>
internal sealed class SnapshotNode(Node upstream, ElementStructure schema, string path, Func<Tensor[], long>? shardFunc) : Node
{
    private const string Op = "Snapshot";

    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override long Cardinality => upstream.Cardinality;

    private ElementSpec ElementSpec => schema.Describe(Signature, 0);

    public override IEnumerator<Part[]> Open()
    {
        var spec = ElementSpec;   // first: a trace learns the keys of a Map's dictionaries
        if (!SavedDataset.IsComplete(path)) return Persist.Write(upstream, path, Width, shardFunc, () => spec, replace: false, Op).GetEnumerator();
        var saved = SavedDataset.Open(path, Op);
        string? differs = saved.Spec.ToString() != spec.ToString() ? $"its elements are {saved.Spec}, but this dataset's are {spec}"
            : Cardinality >= 0 && Cardinality != saved.Count ? $"it holds {saved.Count} elements, but this dataset has {Cardinality}"
            : null;
        if (differs is not null)
            throw new InvalidOperationException(
                $"{Op}: the snapshot at '{path}' was written for another pipeline: {differs}. Delete the directory to snapshot this dataset there, or give Snapshot another path.");
        return saved.Elements(Op).GetEnumerator();
    }
}
