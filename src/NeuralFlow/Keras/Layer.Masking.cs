using System.Reflection;
using System.Runtime.CompilerServices;

namespace NeuralFlow.Keras;

/// <summary>
/// Keras masking: a layer's output carries a mask (Keras keeps it as <c>_keras_mask</c> on the
/// tensor) saying which positions are real and which are padding, [batch, timesteps] for a
/// sequence. <see cref="Layers.Embedding"/> with maskZero and <see cref="Layers.Masking"/> make
/// one; layers that <see cref="SupportsMasking"/> pass it on (<see cref="ComputeMask(Tensor, Tensor?)"/>);
/// recurrent layers, GlobalAveragePooling1D, and the losses and mean metrics of Compile/Fit honour it.
/// The mask is computed by tensor ops, so a replayed NF.Function step (Fit's) recomputes it.
/// </summary>
public abstract partial class Layer
{
    // The mask of each tensor that has one, held as long as the tensor is (one definition of
    // "the mask that rides with a tensor"; keys compare by reference).
    private static readonly ConditionalWeakTable<Tensor, Tensor> RiddenMasks = new();

    // A mask given explicitly (Call(x, mask)) for the tensor x while that call runs: it wins over
    // the one x carries, for the first layer that reads x (in a model, every layer reading the input).
    [ThreadStatic] private static (Tensor X, Tensor Mask)? _explicitMask;

    /// <summary>
    /// The mask <paramref name="x"/> carries (Keras' <c>x._keras_mask</c>): a bool tensor, true
    /// where a position is real, made by the layer that produced <paramref name="x"/>; null when none.
    /// </summary>
    public static Tensor? MaskOf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return RiddenMasks.TryGetValue(x, out var mask) ? mask : null;
    }

    /// <summary>
    /// Attaches <paramref name="mask"/> to <paramref name="y"/> (Keras 3's <c>set_keras_mask</c>), or with a null mask
    /// removes the one <paramref name="y"/> carries (tf.keras' <c>del y._keras_mask</c>): a subclassed model whose
    /// logits should not be masked by Compile's losses and metrics (the Transformer tutorial masks in its own loss) drops it.
    /// </summary>
    public static void SetMask(Tensor y, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (mask is null) RiddenMasks.Remove(y);
        else RiddenMasks.AddOrUpdate(y, mask);
    }

    /// <summary>
    /// Whether this layer passes a mask on (Keras' <c>supports_masking</c>). When false, a mask
    /// reaching the layer is dropped, as Keras 3 drops it: the layers after it see none. A user's
    /// layer that overrides <see cref="ComputeMask(Tensor, Tensor?)"/> supports masking unless it
    /// says otherwise, as Keras 3's default (<c>not is_default(self.compute_mask)</c>), so the mask
    /// its ComputeMask makes rides on its output.
    /// </summary>
    public virtual bool SupportsMasking => _userComputeMask ??= UserOverride(nameof(ComputeMask), typeof(Tensor), typeof(Tensor)) || UserComputesMasks;

    private bool? _userComputeMask;

    /// <summary>Whether this layer's type is a user's that overrides the method <paramref name="name"/> of these parameters.</summary>
    private protected bool UserOverride(string name, params Type[] parameters) => DeclaringTypeOf(name, parameters).Assembly != typeof(Layer).Assembly;

    // The class that declares this layer's version of the method (Layer itself when nothing overrides it).
    private Type DeclaringTypeOf(string name, Type[] parameters) =>
        GetType().GetMethod(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, parameters)!.DeclaringType!;

    /// <summary>
    /// The mask of this layer's output for <paramref name="inputs"/> whose mask is
    /// <paramref name="mask"/> (Keras' <c>compute_mask</c>). The default passes the mask on when
    /// the layer <see cref="SupportsMasking"/>, and gives none otherwise; a layer that makes a
    /// mask (Embedding, Masking) or changes it (a recurrent layer without returnSequences) overrides it.
    /// </summary>
    public virtual Tensor? ComputeMask(Tensor inputs, Tensor? mask) => SupportsMasking ? mask : null;

    /// <summary>
    /// Applies the layer with <paramref name="mask"/> (bool, or numbers where nonzero means real;
    /// [batch, timesteps] for a sequence) in place of the mask <paramref name="x"/> carries, as
    /// Keras' <c>layer(x, mask=m)</c>. A mask whose shape is not a leading part of x's is an error.
    /// </summary>
    public Tensor Call(Tensor x, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (mask is null) return Call(x);
        var previous = _explicitMask;
        _explicitMask = (x, AsMask(x, mask, Name));
        try { return Call(x); }
        finally { _explicitMask = previous; }
    }

    /// <summary><see cref="Call(Tensor, Tensor?)"/> in training or inference mode.</summary>
    public Tensor Call(Tensor x, Tensor? mask, bool training)
    {
        using (TrainingMode(training)) return Call(x, mask);
    }

    /// <summary>
    /// The computation with the input's mask (null when it has none); the default ignores the mask,
    /// as a Keras call without a mask argument. A layer that overrides only this one (Keras'
    /// <c>call(self, inputs, mask=None)</c>) is also called through it, with a null mask, when its input has none.
    /// </summary>
    protected virtual Tensor Forward(Tensor x, Tensor? mask) => Forward(x);

    /// <summary>Whether this layer's type overrides <see cref="Forward(Tensor, Tensor?)"/>: an input without a mask then goes there too.</summary>
    private protected bool ForwardTakesMask => _forwardTakesMask ??= DeclaringTypeOf(nameof(Forward), [typeof(Tensor), typeof(Tensor)]) != typeof(Layer);

    private bool? _forwardTakesMask;

    /// <summary>The mask a call on <paramref name="x"/> sees: one given to Call(x, mask), else the one x carries.</summary>
    private protected static Tensor? InputMask(Tensor x) =>
        _explicitMask is { } given && ReferenceEquals(given.X, x) ? given.Mask : MaskOf(x);

    /// <summary>
    /// Attaches the output's mask after a call (Keras' <c>_set_mask_metadata</c>): a layer that
    /// supports masking gives <see cref="ComputeMask(Tensor, Tensor?)"/>'s, unless its call set
    /// one already; one that does not leaves the output unmasked.
    /// </summary>
    private protected void SetOutputMask(Tensor x, Tensor y, Tensor? mask)
    {
        WarnMaskDropped(mask);
        if (ReferenceEquals(x, y) || MaskOf(y) is not null) return;
        if (SupportsMasking && ComputeMask(x, mask) is { } output) SetMask(y, output);
    }

    // Keras 3's warning when a layer that does not support masking gets a masked input, once per layer here (Python's warnings show one per place).
    private void WarnMaskDropped(Tensor? mask)
    {
        if (SupportsMasking || mask is null || _warnedMaskDropped) return;
        _warnedMaskDropped = true;
        NF.Warn($"Layer '{Name}' (of type {GetType().Name}) was passed an input with a mask attached to it. However, this layer does not support masking " +
                "and will therefore destroy the mask information. Downstream layers will not see the mask.");
    }

    private bool _warnedMaskDropped;

    /// <summary>
    /// <paramref name="mask"/> as a bool tensor after checking it has one row per example of
    /// <paramref name="x"/>; the layers that read a mask check the rest of its shape.
    /// </summary>
    private static Tensor AsMask(Tensor x, Tensor mask, string who)
    {
        if (mask.Rank < 1 || x.Rank < 1 || mask.Shape[0] != x.Shape[0])
            throw new ArgumentException(
                $"{who}: the mask has shape {mask.Shape}, which does not fit the input of shape {x.Shape}; a mask holds one row per example ({(x.Rank >= 1 ? x.Shape[0] : 0)} here).", nameof(mask));
        return mask.DType == DType.Bool ? mask : NF.NotEqual(mask, 0);
    }

    /// <summary>
    /// <paramref name="mask"/> as a bool tensor after checking it fits <paramref name="x"/>: its
    /// shape must be x's first mask.Rank dimensions (Keras' [batch, timesteps] for [batch, timesteps, features]).
    /// </summary>
    internal static Tensor CheckedMask(Tensor x, Tensor mask, string who)
    {
        ArgumentNullException.ThrowIfNull(mask);
        bool fits = mask.Rank >= 1 && mask.Rank <= x.Rank;
        for (int d = 0; fits && d < mask.Rank; d++) fits = mask.Shape[d] == x.Shape[d];
        if (!fits)
            throw new ArgumentException(
                $"{who}: the mask has shape {mask.Shape}, which does not fit the input of shape {x.Shape}; a mask holds one value per position, " +
                $"the input's leading dimensions (for a sequence [batch, timesteps] = ({(x.Rank >= 2 ? $"{x.Shape[0]}, {x.Shape[1]}" : x.Rank == 1 ? $"{x.Shape[0]}" : "")})).", nameof(mask));
        return mask.DType == DType.Bool ? mask : NF.NotEqual(mask, 0);
    }

    /// <summary>
    /// A mask as weights of <paramref name="dtype"/> (1 real, 0 padding), times
    /// <paramref name="sampleWeight"/> (per example, (N,) or (N, 1), or a scalar) when given:
    /// what the losses and mean metrics weigh their values by (Keras' <c>apply_mask</c>).
    /// </summary>
    internal static Tensor MaskWeights(Tensor mask, Tensor? sampleWeight, DType dtype)
    {
        var weights = NF.Cast(mask, dtype);
        if (sampleWeight is null) return weights;
        var w = sampleWeight.DType == dtype ? sampleWeight : NF.Cast(sampleWeight, dtype);
        if (w.Rank == 2 && w.Shape[1] == 1) w = NF.Reshape(w, [w.Shape[0]]);
        if (w.Rank == 1)
        {
            if (w.Shape[0] != mask.Shape[0])
                throw new ArgumentException($"sampleWeight has {w.Shape[0]} weights, but the output's mask {mask.Shape} covers {mask.Shape[0]} examples.", nameof(sampleWeight));
            w = NF.Reshape(w, [w.Shape[0], .. Enumerable.Repeat(1, mask.Rank - 1)]);
        }
        return weights * w;
    }
}
