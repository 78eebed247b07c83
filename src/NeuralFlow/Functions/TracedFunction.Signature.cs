using NeuralFlow.Data;

namespace NeuralFlow;

// tf.function's input_signature: the argument types a function takes, fixed when it is made.
public sealed partial class TracedFunction
{
    private TensorSpec[]? _signature;

    /// <summary>
    /// The specs the function's arguments must fit (<c>tf.function(input_signature=...)</c>), or null when any tensors go.
    /// </summary>
    /// <remarks>
    /// As in TensorFlow, a call whose tensor has another dtype, rank or known dimension is refused before the function
    /// runs (an <see cref="ArgumentException"/> naming the argument, the spec and what came), and a C# number (a weak
    /// scalar) is converted to its spec's dtype, an integer to any numeric dtype and a fractional number to a floating
    /// one. A null dimension takes any size; TensorFlow traces one graph for all of them, NeuralFlow one plan per size
    /// that comes (a replay plan is sized for its shapes), so the C# body runs once per new size.
    /// <see cref="GetConcreteFunction"/> with no arguments gives the signature's concrete function.
    /// </remarks>
    public IReadOnlyList<TensorSpec>? InputSignature => _signature;

    internal void SetInputSignature(TensorSpec[] signature)
    {
        if (signature.Length != ParameterNames.Length)
            throw new ArgumentException($"NF.Function '{Name}': the input signature has {signature.Length} spec{(signature.Length == 1 ? "" : "s")}, but the function takes {ParameterNames.Length} argument{(ParameterNames.Length == 1 ? "" : "s")} ({string.Join(", ", ParameterNames)}).", "inputSignature");
        for (int i = 0; i < signature.Length; i++)
        {
            if (signature[i] is null)
                throw new ArgumentException($"NF.Function '{Name}': the input signature's spec for {ParameterNames[i]} is null.", "inputSignature");
            if (signature[i].DType == DType.String)
                throw new ArgumentException($"NF.Function '{Name}': the input signature gives {ParameterNames[i]} the dtype string; an NF.Function takes numeric tensors (a StringTensor is no Tensor).", "inputSignature");
        }
        _signature = (TensorSpec[])signature.Clone();
    }

    // The call's tensors as the signature types them: refused when one does not fit, a C# number converted.
    private Tensor[] Bind(Tensor[] inputs)
    {
        var signature = _signature!;
        if (inputs.Length != signature.Length)
            throw new ArgumentException($"NF.Function '{Name}': takes {signature.Length} argument{(signature.Length == 1 ? "" : "s")} by its input signature ({DescribeSignature()}), got {inputs.Length}.", nameof(inputs));
        Tensor[]? bound = null;
        for (int i = 0; i < inputs.Length; i++)
        {
            var (t, spec) = (inputs[i], signature[i]);
            if (t.IsWeakScalar && t.DType != spec.DType && spec.ShapeFits(t.Shape) && Converts(t.DType, spec.DType))
            {
                bound ??= (Tensor[])inputs.Clone();
                bound[i] = NF.Cast(t, spec.DType);
                continue;
            }
            if (spec.Mismatch(t) is { } why)
                throw new ArgumentException($"NF.Function '{Name}': argument {ParameterNames[i]} {why}; its input signature is ({DescribeSignature()}).", nameof(inputs));
        }
        return bound ?? inputs;
    }

    // TensorFlow converts a Python number to the spec's dtype when no value is lost by kind: an
    // integer to any number, a fractional one to a floating dtype (2.5 for an int32 spec is refused).
    private static bool Converts(DType from, DType to) =>
        to != DType.Bool && from != DType.Bool && (to.IsFloating() || !from.IsFloating());

    private string DescribeSignature() =>
        string.Join(", ", _signature!.Select((s, i) => $"{ParameterNames[i]}: {s}"));
}
