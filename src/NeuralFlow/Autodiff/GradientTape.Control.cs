namespace NeuralFlow;

// The parts of tf.GradientTape that steer recording rather than compute gradients:
// stop_recording, reset, watched_variables, and the argument checks of a several-target gradient.
public sealed partial class GradientTape
{
    // Set by StopRecording (tf's `with tape.stop_recording():`); apart from _paused, which
    // Gradient sets while it walks back, so a gradient taken inside StopRecording leaves it set.
    private bool _stopped;

    // The variables this tape watched, in the order it first saw them (tf's watched_variables()).
    private readonly List<Variable> _variables = [];

    [MethodImpl(Hot)]
    private void Track(Tensor tensor)
    {
        if (_watched.Add(tensor) && tensor is Variable v) _variables.Add(v);
    }

    /// <summary>
    /// Stops this tape recording until the result is disposed (<c>with tape.stop_recording():</c>):
    /// ops run in between are invisible to it, so their gradient is null, and a gradient computed
    /// in between is not recorded for a higher-order one. Other tapes keep recording.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tape is not recording: already stopped, or a non-persistent tape that computed its gradient.</exception>
    public IDisposable StopRecording()
    {
        ThrowIfDisposed(nameof(StopRecording));
        if (_stopped)
            throw new InvalidOperationException("StopRecording: this GradientTape is already stopped; dispose the first StopRecording() before stopping it again.");
        if (!IsRecording)
            throw new InvalidOperationException("StopRecording: this GradientTape is not recording (a non-persistent tape stops after its one Gradient call).");
        _stopped = true;
        return new Restart(this);
    }

    private sealed class Restart(GradientTape tape) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            tape._stopped = false;
        }
    }

    /// <summary>
    /// Forgets everything recorded and watched so far, as if this tape had just been created
    /// (<c>tape.reset()</c>): a later Gradient sees only the ops run after the reset, and a
    /// non-persistent tape that already gave its gradient records and gives one again.
    /// </summary>
    public void Reset()
    {
        ThrowIfDisposed(nameof(Reset));
        Release();
        _variables.Clear();
        _used = false;
        // A used non-persistent tape left the thread's list of tapes; it records again.
        if (!Tape.Active.Contains(this)) Tape.Active.Add(this);
    }

    /// <summary>
    /// The variables this tape watches, in the order it first saw them (<c>tape.watched_variables()</c>):
    /// those given to <see cref="Watch(Tensor)"/> and, unless watchAccessedVariables is false, the
    /// trainable floating-point ones that recorded ops read.
    /// </summary>
    public IReadOnlyList<Variable> WatchedVariables() => _variables.ToArray();

    private static void CheckTargets(IReadOnlyList<Tensor> targets, IReadOnlyList<Tensor> sources, IReadOnlyList<Tensor?>? outputGradients)
    {
        for (int i = 0; i < sources.Count; i++)
            if (sources[i] is null) throw new ArgumentNullException(nameof(sources), $"Gradient: source {i} is null.");
        if (outputGradients is not null && outputGradients.Count != targets.Count)
            throw new ArgumentException(
                $"Gradient: outputGradients has {outputGradients.Count} entries but there are {targets.Count} targets; give one per target (null: ones).", nameof(outputGradients));
        for (int k = 0; k < targets.Count; k++)
        {
            var target = targets[k] ?? throw new ArgumentNullException(nameof(targets), $"Gradient: target {k} is null.");
            string which = targets.Count == 1 ? "the target" : $"target {k}";
            if (!target.DType.IsFloating())
                throw new ArgumentException($"Gradient: {which} must be float32 or float64, got {target.DType.Name()}.", nameof(targets));
            if (outputGradients?[k] is { } og && (og.Shape != target.Shape || og.DType != target.DType))
                throw new ArgumentException(
                    $"Gradient: outputGradients must have the target's shape and dtype, {target.Shape} {target.DType.Name()}; got {og.Shape} {og.DType.Name()}.",
                    nameof(outputGradients));
        }
    }
}
