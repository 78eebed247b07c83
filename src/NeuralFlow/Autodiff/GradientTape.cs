namespace NeuralFlow;

/// <summary>
/// Records operations while it is alive so that gradients can be computed afterwards
/// (TensorFlow <c>tf.GradientTape</c>). Trainable variables used inside it are watched
/// automatically; <see cref="Watch(Tensor)"/> adds plain tensors. A tape gives one
/// <see cref="Gradient(Tensor, IReadOnlyList{Tensor}, Tensor, UnconnectedGradients)"/> call unless created with <c>persistent: true</c>. Tapes nest: an outer
/// tape records the gradient computation of an inner one, which gives higher-order gradients.
/// As in TensorFlow, a persistent tape whose Gradient is called while it records (before
/// <see cref="Dispose"/>, outside <see cref="StopRecording"/>) records that gradient's ops on
/// itself, so a second Gradient of the first gives a second derivative; this costs memory, so
/// take gradients after the block (or inside StopRecording) when no higher order is wanted.
/// Gradients use the values the recorded ops read, as in TensorFlow: assigning a variable (or an
/// optimizer step) while a tape still holds records that read it gives the variable a fresh buffer
/// and leaves the old value to the tape. Each returned gradient is a tensor of its own.
/// </summary>
public sealed partial class GradientTape : IDisposable
{
    private readonly HashSet<Tensor> _watched = new(ReferenceEqualityComparer.Instance);
    private readonly List<TapeNode> _nodes = [];
    private bool _paused, _used, _disposed;

    /// <summary>Starts recording on this thread.</summary>
    /// <param name="persistent">Allow several <see cref="Gradient(Tensor, IReadOnlyList{Tensor}, Tensor, UnconnectedGradients)"/> calls (the tape then keeps its records until disposed).</param>
    /// <param name="watchAccessedVariables">Watch trainable variables automatically (TensorFlow's watch_accessed_variables).</param>
    [MethodImpl(Hot)]
    public GradientTape(bool persistent = false, bool watchAccessedVariables = true)
    {
        Persistent = persistent;
        WatchAccessedVariables = watchAccessedVariables;
        Tape.Active.Add(this);
    }

    /// <summary>Whether <see cref="Gradient(Tensor, IReadOnlyList{Tensor}, Tensor, UnconnectedGradients)"/> may be called more than once.</summary>
    public bool Persistent { get; }

    /// <summary>Whether trainable variables are watched without <see cref="Watch(Tensor)"/>.</summary>
    public bool WatchAccessedVariables { get; }

    internal bool IsRecording => !_paused && !_stopped && !_disposed && !(_used && !Persistent);

    /// <summary>
    /// Called during <see cref="Gradient(Tensor, IReadOnlyList{Tensor}, Tensor, UnconnectedGradients)"/> with (source index,
    /// gradient) as soon as a source's gradient is final: once the backward walk has passed every
    /// recorded op that reads the source (DDP's autograd hook), so NeuralFlow.Distributed can
    /// start a bucket's allreduce while the rest of the backward pass runs. The gradient may only
    /// be read. Sources without a gradient are never reported.
    /// </summary>
    internal Action<int, Tensor>? GradientReady { get; set; }

    /// <summary>Records operations on <paramref name="tensor"/> from now on (<c>tape.watch</c>).</summary>
    public void Watch(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed(nameof(Watch));
        Track(tensor);
    }

    /// <summary>Records operations on each of <paramref name="tensors"/>.</summary>
    public void Watch(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors) Watch(t);
    }

    [MethodImpl(Hot)]
    internal bool WatchesAny(Tensor[] inputs)
    {
        bool any = false;
        foreach (var x in inputs)
        {
            // Every trainable variable among the inputs is registered, not just the first watched input.
            if (WatchAccessedVariables && x is Variable { Trainable: true } && x.DType.IsFloating())
                Track(x);
            any |= _watched.Contains(x);
        }
        return any;
    }

    [MethodImpl(Hot)]
    internal void Add(TapeNode node)
    {
        node.Hold();
        _nodes.Add(node);
        _watched.Add(node.Output);
    }

    /// <summary>
    /// The gradient of <paramref name="target"/> (summed over its elements, as TensorFlow does)
    /// with respect to each source, in order. An entry is null where the source does not
    /// influence the target. <paramref name="outputGradients"/> (TensorFlow's <c>output_gradients</c>),
    /// of the target's shape and dtype, weights its elements instead of ones: a vector-Jacobian product.
    /// <paramref name="unconnectedGradients"/> (TensorFlow's <c>unconnected_gradients</c>) gives zeros
    /// of the source's shape instead of null where the source does not influence the target: for
    /// the second derivative of a piecewise-linear function (relu, abs), whose first is constant
    /// in x, or a parameter a loss does not use.
    /// </summary>
    [MethodImpl(Hot)]
    public Tensor[] Gradient(Tensor target, IReadOnlyList<Tensor> sources, Tensor? outputGradients = null,
        UnconnectedGradients unconnectedGradients = UnconnectedGradients.None)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Gradient([target], sources, outputGradients is null ? null : [outputGradients], unconnectedGradients);
    }

    /// <summary>
    /// The gradient of the sum of several <paramref name="targets"/> with respect to each source
    /// (TensorFlow's <c>tape.gradient([loss1, loss2], sources)</c>: the targets' gradients add up).
    /// <paramref name="outputGradients"/>, when given, has one entry per target (null: ones) of that
    /// target's shape and dtype. No targets give no gradients (null, or zeros with
    /// <see cref="UnconnectedGradients.Zero"/>).
    /// </summary>
    [MethodImpl(Hot)]
    public Tensor[] Gradient(IReadOnlyList<Tensor> targets, IReadOnlyList<Tensor> sources, IReadOnlyList<Tensor?>? outputGradients = null,
        UnconnectedGradients unconnectedGradients = UnconnectedGradients.None)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(sources);
        if (unconnectedGradients is not (UnconnectedGradients.None or UnconnectedGradients.Zero)) // not Enum.IsDefined: JIT-compiled in a cold process
            throw new ArgumentOutOfRangeException(nameof(unconnectedGradients), unconnectedGradients, "Gradient: unconnectedGradients must be UnconnectedGradients.None or .Zero.");
        ThrowIfDisposed(nameof(Gradient));
        if (_used && !Persistent && !_holdRecords)
            throw new InvalidOperationException(
                "This GradientTape already computed a gradient; a tape gives one Gradient call unless it is created with new GradientTape(persistent: true).");
        CheckTargets(targets, sources, outputGradients);
        _used = true;
        // As in TensorFlow, a persistent tape asked for a gradient inside its block (recording,
        // not stopped) records the gradient's own ops, so a second Gradient call differentiates
        // the first (d/dx of dy/dx); any other tape stops recording while it walks back.
        _paused = !(Persistent && IsRecording);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var holders = new GradientHolders(sources);
        try
        {
            for (int k = 0; k < targets.Count; k++)
            {
                var target = targets[k];
                var seed = outputGradients?[k] is { } og ? NF.Identity(og) : NF.OnesLike(target);
                if (grads.TryGetValue(target, out var earlier))
                {
                    // A target listed twice counts twice, as its gradient would in a sum of targets.
                    grads[target] = earlier + seed;
                    holders.Hold(grads[target]);
                    holders.Drop(earlier, []);
                }
                else
                {
                    grads[target] = seed;
                    holders.Hold(seed);
                }
            }
            var finalAt = GradientReady is null ? null : FirstReaders(sources);
            // Only the records that exist now: ops this walk records append after them (indexes
            // below this count never move), and are not part of this gradient.
            int recorded = _nodes.Count;
            for (int i = recorded - 1; i >= 0; i--)
            {
                if (finalAt is not null) Report(finalAt, i + 1, sources, grads);
                var node = _nodes[i];
                if (!grads.TryGetValue(node.Output, out var g)) continue;
                node.CheckVersions();
                for (int j = 0; j < node.Inputs.Length; j++)
                    node.Wanted[j] = node.Inputs[j].DType.IsFloating() && _watched.Contains(node.Inputs[j]);
                var inputGrads = holders.Run(node, g);
                for (int j = 0; j < node.Inputs.Length; j++)
                {
                    var input = node.Inputs[j];
                    var ig = inputGrads[j];
                    // Only what this tape watched (or computed from it) gets a gradient, as in TensorFlow.
                    if (ig is null || !input.DType.IsFloating() || !_watched.Contains(input)) continue;
                    if (ig.Shape != input.Shape)
                        throw new InvalidOperationException($"internal: gradient of shape {ig.Shape} for an input of shape {input.Shape}");
                    if (grads.TryGetValue(input, out var existing))
                    {
                        grads[input] = existing + ig;
                        holders.Hold(grads[input]);
                        holders.Drop(existing, inputGrads);
                    }
                    else
                    {
                        grads[input] = ig;
                        holders.Hold(ig);
                    }
                }
                // This node's output gradient is consumed: free it now rather than when the whole
                // backward pass ends, so a step's peak is its forward tensors plus the gradients
                // in flight, not plus every gradient of the pass.
                if (!holders.IsSource(node.Output))
                {
                    grads.Remove(node.Output);
                    holders.Drop(g, inputGrads);
                }
            }
            if (finalAt is not null) Report(finalAt, 0, sources, grads);
            var result = new Tensor[sources.Count];
            for (int i = 0; i < sources.Count; i++)
                result[i] = grads.TryGetValue(sources[i], out var g) ? g
                    : unconnectedGradients == UnconnectedGradients.Zero ? NF.ZerosLike(sources[i]) : null!;
            FreeIntermediates(grads.Values, result);
            return Distinct(result);
        }
        finally
        {
            _paused = false;
            if (!Persistent && !_holdRecords)
            {
                Release();
                // A used non-persistent tape never records again: unregister it now, so that a loop
                // that never disposes its tapes does not leave every later op walking a growing list.
                Tape.Active.Remove(this);
            }
        }
    }

    // For GradientReady: node index -> the sources whose first reader (lowest index) it is; the
    // walk runs from the last node down, so once it has passed that node nothing adds to them.
    private Dictionary<int, List<int>> FirstReaders(IReadOnlyList<Tensor> sources)
    {
        var wanted = new Dictionary<Tensor, List<int>>(ReferenceEqualityComparer.Instance);
        for (int s = 0; s < sources.Count; s++)
        {
            if (!wanted.TryGetValue(sources[s], out var list)) wanted[sources[s]] = list = [];
            list.Add(s);
        }
        var firstReader = new Dictionary<int, List<int>>();
        for (int i = 0; i < _nodes.Count && wanted.Count > 0; i++)
            foreach (var input in _nodes[i].Inputs)
                if (wanted.Remove(input, out var list))
                {
                    if (!firstReader.TryGetValue(i, out var at)) firstReader[i] = at = [];
                    at.AddRange(list);
                }
        return firstReader;
    }

    private void Report(Dictionary<int, List<int>> finalAt, int node, IReadOnlyList<Tensor> sources, Dictionary<Tensor, Tensor> grads)
    {
        if (!finalAt.TryGetValue(node, out var ready)) return;
        foreach (int s in ready)
            if (grads.TryGetValue(sources[s], out var g)) GradientReady!(s, g);
    }

    /// <summary>The gradient with respect to a single source (null when unconnected).</summary>
    [MethodImpl(Hot)]
    public Tensor Gradient(Tensor target, Tensor source) => Gradient(target, [source])[0];

    // Rules pass a gradient through unchanged where they can (add, identity, reshape of the same
    // shape), so two sources, or one listed twice, may share a gradient object. The caller owns each
    // result and may dispose it: every entry after the first gets its own tensor (a view, recorded
    // as an identity so an outer tape still differentiates through it).
    [MethodImpl(Hot)]
    private static Tensor[] Distinct(Tensor[] result)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < result.Length; i++)
            if (result[i] is { } g && !seen.Add(g)) result[i] = GradientHelpers.Identity(g);
        return result;
    }

    // Intermediate gradients are garbage once the sources' gradients exist, unless an outer tape
    // recorded them for a higher-order gradient.
    [MethodImpl(Hot)]
    private static void FreeIntermediates(IEnumerable<Tensor> intermediates, Tensor[] returned)
    {
        if (Tape.AnyRecording) return;
        var keep = new HashSet<Tensor>(returned.Where(r => r is not null), ReferenceEqualityComparer.Instance);
        foreach (var t in intermediates)
            if (!keep.Contains(t)) t.Dispose();
    }

    // Drops the records (and with them the tape's references to intermediates) so that the
    // memory of a training step can be reclaimed as soon as the step ends.
    [MethodImpl(Hot)]
    private void Release()
    {
        foreach (var node in _nodes) node.Release();
        _nodes.Clear();
        _watched.Clear();
    }

    /// <summary>Stops recording and frees what the tape held.</summary>
    [MethodImpl(Hot)]
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Release();
        Tape.Active.Remove(this);
    }

    // Python's `with tf.GradientTape() as tape:` only stops recording at the block's end, so TensorFlow's guides call
    // tape.gradient after it; a C# using block disposes the tape there and frees its records. The message says so,
    // where ObjectDisposedException's own said only "Cannot access a disposed object".
    private void ThrowIfDisposed(string op)
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(GradientTape),
                $"GradientTape.{op}: the tape is disposed (the end of its using block frees what it recorded, where Python's " +
                "`with tf.GradientTape() as tape:` only stops recording); call Gradient inside the using block, after the ops it differentiates.");
    }

    // How many entries of the gradient map hold each gradient object (rules pass one gradient on
    // to several inputs unchanged): an object is freed when the last entry holding it lets go,
    // unless it is a result, a rule's output still being stored, or an outer tape recorded it
    // (then nothing is freed early: the outer tape differentiates through these tensors).
    private sealed class GradientHolders(IReadOnlyList<Tensor> sources)
    {
        private readonly Dictionary<Tensor, int> _count = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Tensor> _sources = new(sources.Where(s => s is not null), ReferenceEqualityComparer.Instance);
        private readonly bool _free = !Tape.AnyRecording;

        public bool IsSource(Tensor t) => _sources.Contains(t);

        // A rule's temporaries (a relu's mask, a product a view was taken of) are garbage once
        // it returns: a scope frees them then, keeping the returned gradients (views keep their
        // buffers alive by reference), instead of holding them to the end of the step.
        public Tensor?[] Run(TapeNode node, Tensor g)
        {
            if (!_free) return node.Rule(g, node);
            using var scope = TensorScope.Begin();
            var result = node.Rule(g, node);
            foreach (var r in result)
                if (r is not null) scope.Keep(r);
            return result;
        }

        public void Hold(Tensor g) => _count[g] = _count.GetValueOrDefault(g) + 1;

        public void Drop(Tensor g, Tensor?[] inFlight)
        {
            int left = _count.GetValueOrDefault(g) - 1;
            if (left > 0) { _count[g] = left; return; }
            _count.Remove(g);
            if (_free && Array.IndexOf(inFlight, g) < 0) g.Dispose();
        }
    }
}
