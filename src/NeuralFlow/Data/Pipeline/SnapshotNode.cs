namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>snapshot(path)</c>: the first complete pass writes its elements as a saved dataset
/// (<see cref="SavedDataset"/>) to <c>path/{fingerprint}</c> while yielding them, and every later
/// pass, in this run or a later one, reads them from there instead of running the upstream.
/// </summary>
/// <remarks>
/// <para>As tf.data's snapshot, the directory is keyed by a fingerprint of the upstream pipeline
/// (<see cref="PipelineFingerprint"/>, whose limits it lists): a changed pipeline (another step,
/// setting, source tensor or function) writes a snapshot of its own beside the old one instead of
/// reading stale elements.</para>
/// <para>A pass writes into a hidden directory renamed into place only when the pass has ended, so a
/// pass left early, a failure or a killed run leaves nothing a later pass reads: that pass writes the
/// snapshot afresh (and the next writing pass removes a killed one's hidden files).</para>
/// <para>An upstream known to be infinite (a <c>Repeat()</c> before <c>Snapshot</c>) never ends, so
/// tf.data's snapshot of it writes for ever and never completes. Here its passes stream the upstream's
/// elements through, writing nothing, with one warning on <see cref="NF.WarningLog"/> per pass: a
/// training loop over it works, and no disk fills with a snapshot no pass can read. One whose
/// cardinality is unknown (a generator) is written while read and completes if its pass ends.</para>
/// </remarks>
internal sealed class SnapshotNode(Node upstream, ElementStructure schema, string path, Func<Tensor[], long>? shardFunc, string compression) : Node
{
    private const string Op = "Snapshot";
    private readonly object _keyLock = new();
    private string? _key;

    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override long Cardinality => upstream.Cardinality;

    private ElementSpec ElementSpec => schema.Describe(Signature, 0);

    /// <summary>The directory this pipeline's snapshot is in: <c>path/{fingerprint}</c> (the fingerprint is taken once).</summary>
    public string Directory
    {
        get
        {
            var spec = ElementSpec;   // first: a trace learns the keys of a Map's dictionaries
            lock (_keyLock) _key ??= PipelineFingerprint.Of(upstream, spec);
            return System.IO.Path.Combine(path, _key);
        }
    }

    public override IEnumerator<Part[]> Open()
    {
        if (System.IO.File.Exists(path))
            throw new IOException($"{Op}: '{path}' is a file; a snapshot is a directory of snapshots, one per pipeline.");
        if (upstream.Cardinality == Dataset.Infinite)
        {
            NF.Warn($"{Op}: the dataset before Snapshot('{path}') is infinite (a Repeat without a count?): a pass never ends, so no snapshot could complete; its elements stream through and nothing is written. Put Repeat after Snapshot.");
            return upstream.Open();
        }
        var spec = ElementSpec;
        string directory = Directory;
        if (!SavedDataset.IsComplete(directory))
            return Persist.Write(upstream, directory, Width, shardFunc, () => spec, replace: false, Op, compression).GetEnumerator();
        var saved = SavedDataset.Open(directory, Op);
        // The fingerprint covers the spec: a differing one means the directory was changed by hand.
        if (saved.Spec.ToString() != spec.ToString())
            throw new InvalidDataException($"{Op}: the snapshot at '{directory}' holds elements {saved.Spec}, but this pipeline's are {spec}; it was altered: delete it.");
        return saved.Elements(Op).GetEnumerator();
    }
}
