namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    // Keras resets layer.losses at the start of every top-level __call__, so that they hold what the
    // last forward pass added. A subclassed model overrides Call, so its own call cannot be seen
    // here; what can: each call through Layer.Call, Sequential's, and any model's CallOutputs
    // (which Fit's, Evaluate's and Predict's steps use, so a subclassed model's pass is seen
    // there). The outermost of them starts a new "forward pass". A layer's added losses from an
    // earlier pass are dropped at its next call or AddLoss in a later one, so a layer shared by
    // two calls of one pass keeps both; in a custom loop that calls a subclassed model's Call,
    // each of its layers' calls is a pass of its own, which keeps each layer's last losses.
    [ThreadStatic] private static long t_forwardPass;
    [ThreadStatic] private static int t_callDepth;
    private List<Tensor>? _addedLosses;
    private long _addedLossesPass;
    private bool _addsLosses;

    /// <summary>
    /// Adds <paramref name="loss"/> to this layer's <see cref="Losses"/> (Keras' <c>add_loss</c>),
    /// from inside its call: a penalty that depends on the inputs, such as a variational
    /// autoencoder's KL term. <c>Fit</c> and <c>Evaluate</c> add the sum of its elements to the
    /// loss (the gradient flows through it); a custom loop adds <c>Losses</c> itself. The losses a
    /// layer holds are those of its last forward pass: the next outermost call drops them.
    /// Inside a traced step (<c>NF.Function</c>, <c>Fit</c>) the call runs at trace time and the
    /// loss's computation is part of the replay.
    /// </summary>
    /// <exception cref="ArgumentException">Not a float tensor.</exception>
    public void AddLoss(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (!loss.DType.IsFloating())
            throw new ArgumentException($"{Name}.AddLoss: the loss must be a float tensor, got {loss.DType.Name()}.", nameof(loss));
        DropStaleAddedLosses();
        (_addedLosses ??= []).Add(loss);
        _addsLosses = true;
    }

    /// <summary>Entered by each call that Keras would treat as a __call__: the outermost one begins a forward pass.</summary>
    private protected CallScope EnterCall()
    {
        if (t_callDepth++ == 0) t_forwardPass++;
        if (_addsLosses) DropStaleAddedLosses();
        return default;
    }

    private protected readonly struct CallScope : IDisposable
    {
        public void Dispose() => t_callDepth--;
    }

    private void DropStaleAddedLosses()
    {
        if (_addedLossesPass == t_forwardPass) return;
        _addedLosses?.Clear();
        _addedLossesPass = t_forwardPass;
    }

    /// <summary>The losses this layer added in its last forward pass (those still alive: a traced step's are its trace's).</summary>
    private IEnumerable<Tensor> AddedLosses() =>
        _addedLosses is { Count: > 0 } added ? added.Where(t => !t.IsDisposed) : [];
}
