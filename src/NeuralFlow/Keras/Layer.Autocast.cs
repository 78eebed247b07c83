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
    /// Keras' autocast of a layer's input: a floating input of another type than the layer computes in is cast
    /// to it. Only where float16 is on either side (a mixed or float16 layer, or a float16 input reaching a
    /// float32 layer such as the float32 head of a mixed model); float32 and float64 layers keep casting as they
    /// did, in their own Forward.
    /// </summary>
    [MethodImpl(Hot)]
    private protected Tensor AutocastInput(Tensor x)
    {
        var compute = ComputeDType;
        if (x.DType == compute || !x.DType.IsFloating() || !AutocastsInputs) return x;
        if (compute != DType.Float16 && x.DType != DType.Float16) return x;
        return NF.Cast(x, compute);
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
