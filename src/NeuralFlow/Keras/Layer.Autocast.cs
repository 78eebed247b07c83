namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>
    /// Whether a new layer takes a mixed global policy (<see cref="Config.DTypePolicy"/>); the preprocessing
    /// layers whose inputs are values to look up or count say false and take <see cref="Config.FloatX"/>'s
    /// plain policy then, as Keras' set their own dtype.
    /// </summary>
    private protected virtual bool TakesMixedPolicy => true;

    // The policy a new layer starts with (read in the constructor: TakesMixedPolicy is a constant per type).
    private DTypePolicy InitialPolicy()
    {
        var policy = Config.DTypePolicy;
        return policy.IsMixed && !TakesMixedPolicy ? DTypePolicy.Of(Config.FloatXType) : policy;
    }

    /// <summary>
    /// Whether <see cref="Call(Tensor)"/> casts floating inputs to <see cref="ComputeDType"/> (Keras'
    /// <c>layer.autocast</c>); the layers Keras exempts (LayerNormalization, Embedding) say false.
    /// </summary>
    private protected virtual bool AutocastsInputs => true;

    /// <summary>
    /// Whether the layer computes with its weights in <see cref="ComputeDType"/> under a mixed policy: it reads them
    /// through <see cref="ReadWeight"/> (Dense, EinsumDense, the convolutions) or casts to float32 itself
    /// (BatchNormalization). A layer with weights that says false (PReLU, attention, a user's layer) computes in
    /// float32, its weights' type, and gives its output in float16: more precise than Keras' float16, never a
    /// float16 input meeting a float32 weight.
    /// </summary>
    private protected virtual bool ComputesWithMixedWeights => false;

    private bool? _ownsWeights;

    // Whether the layer holds weights of its own (not its sublayers'), looked up once, on its first mixed call.
    private bool OwnsWeights => _ownsWeights ??= _ownWeights.Count > 0 || Tracking.InFields(this).Variables.Count > 0;

    /// <summary>
    /// Keras' autocast of a layer's input: a floating input of another type than the layer computes in is cast
    /// to it (to float32 for a mixed layer with weights that does not compute with them in float16, see
    /// <see cref="ComputesWithMixedWeights"/>). Only where float16 is on either side (a mixed or float16 layer, or a
    /// float16 input reaching a float32 layer such as the float32 head of a mixed model); float32 and float64
    /// layers keep casting as they did, in their own Forward.
    /// </summary>
    [MethodImpl(Hot)]
    private protected Tensor AutocastInput(Tensor x)
    {
        var target = _policy.IsMixed && !ComputesWithMixedWeights && OwnsWeights ? _policy.VariableDType : _policy.ComputeDType;
        if (x.DType == target || !x.DType.IsFloating() || !AutocastsInputs) return x;
        if (target != DType.Float16 && x.DType != DType.Float16 && ComputeDType != DType.Float16) return x;
        return NF.Cast(x, target);
    }

    /// <summary>
    /// The output in the computation's type: a layer of a float16 computation whose math stays in float32
    /// (BatchNormalization and LayerNormalization, as Keras upcasts them; a layer that reads its float32
    /// weights unconverted) gives its float32 result back in float16, as Keras' <c>ops.cast(outputs,
    /// self.compute_dtype)</c> does. Other types pass.
    /// </summary>
    [MethodImpl(Hot)]
    private protected Tensor AutocastOutput(Tensor y) =>
        ComputeDType == DType.Float16 && y.DType is DType.Float32 or DType.Float64 ? NF.Cast(y, DType.Float16) : y;

    /// <summary>
    /// A weight as the layer's computation reads it (Keras' <c>AutocastVariable</c>): under a mixed policy a
    /// float32 weight is read as a float16 cast of it, recorded on the tape so its gradient flows back to the
    /// float32 weight; otherwise the weight itself.
    /// </summary>
    [MethodImpl(Hot)]
    protected Tensor ReadWeight(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return _policy.IsMixed && weight.DType == _policy.VariableDType ? NF.Cast(weight, _policy.ComputeDType) : weight;
    }
}
