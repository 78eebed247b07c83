namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>
    /// The computation of a layer that returns several tensors (Keras' <c>call</c> returning a
    /// tuple or list, as the masking guide's <c>TemporalSplit</c>): override it instead of
    /// <c>Forward</c>. Such a layer is called with <see cref="CallOutputs(Tensor)"/>, eagerly or on a
    /// symbolic tensor (<c>var (a, b) = layer.CallOutputs(x)</c>, Keras' <c>a, b = layer(x)</c>), and
    /// its outputs take their masks from <see cref="ComputeMasks"/>.
    /// </summary>
    protected virtual IReadOnlyList<Tensor> ForwardOutputs(Tensor x) =>
        throw new NotImplementedException($"{GetType().Name}: base.ForwardOutputs has no computation of its own; override Forward for a layer of one output.");

    /// <summary>
    /// The masks of the outputs of <see cref="ForwardOutputs"/> for <paramref name="inputs"/> whose
    /// mask is <paramref name="mask"/> (Keras' <c>compute_mask</c> returning a list), one per output,
    /// null for an unmasked one; the default gives none. A layer overriding it supports masking.
    /// </summary>
    public virtual IReadOnlyList<Tensor?>? ComputeMasks(Tensor inputs, Tensor? mask) => null;

    /// <summary>Whether this layer's type is a user's that overrides <see cref="ForwardOutputs"/>.</summary>
    private protected bool ReturnsSeveral => _returnsSeveral ??= UserOverride(nameof(ForwardOutputs), typeof(Tensor));

    private bool? _returnsSeveral;

    private bool UserComputesMasks => _userComputeMasks ??= UserOverride(nameof(ComputeMasks), typeof(Tensor), typeof(Tensor));

    private bool? _userComputeMasks;

    /// <summary>
    /// Applies the layer and returns every tensor it returns: a layer overriding
    /// <see cref="ForwardOutputs"/>, each output carrying the mask <see cref="ComputeMasks"/> gives it;
    /// a model's outputs (a functional model's, each of them); any other layer's one output as a list of one.
    /// </summary>
    public IReadOnlyList<Tensor> CallOutputs(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (this is Model model) return model.CallOutputs([x]);
        if (!ReturnsSeveral) return [Call(x)];
        return CallSeveral(x);
    }

    // ForwardOutputs' tensors for x, with their masks: a layer's, or a subclassed model's (Keras' call returning a list
    // or dictionary, as the style transfer tutorial's StyleContentModel), which Model.CallOutputs sends here.
    private protected IReadOnlyList<Tensor> CallSeveral(Tensor x)
    {
        using var call = EnterCall();
        var mask = InputMask(x);
        EnsureBuilt(x.Shape);
        var outputs = ForwardOutputs(AutocastInput(x))
            ?? throw new InvalidOperationException($"{Name} ({GetType().Name}): ForwardOutputs returned null; it must return the layer's tensors.");
        if (outputs.Count == 0 || outputs.Any(o => o is null))
            throw new InvalidOperationException($"{Name} ({GetType().Name}): ForwardOutputs returned {(outputs.Count == 0 ? "no tensors" : "a null tensor")}; it must return the layer's tensors.");
        var ys = outputs.Select(AutocastOutput).ToArray();
        OutputShape = ys[0].Shape;
        if (ActivityRegularizer is not null) foreach (var y in ys) RecordActivity(y);
        var masks = SupportsMasking ? ComputeMasks(x, mask) : null;
        if (masks is not null && masks.Count != ys.Length)
            throw new InvalidOperationException($"{Name} ({GetType().Name}): ComputeMasks gave {masks.Count} masks for {ys.Length} outputs; give one per output (null for an unmasked one).");
        WarnMaskDropped(mask);
        for (int i = 0; i < ys.Length; i++)
            if (!ReferenceEquals(x, ys[i]) && MaskOf(ys[i]) is null && masks?[i] is { } m) SetMask(ys[i], m);
        return ys;
    }

    // A layer of several outputs is called through CallOutputs: one Tensor cannot hold them.
    private protected void RefuseSingleCall()
    {
        if (ReturnsSeveral)
            throw new InvalidOperationException(
                $"{Name} ({GetType().Name}) returns several tensors (it overrides ForwardOutputs), which one Tensor cannot hold: call CallOutputs (Keras' a, b = layer(x)).");
    }
}
