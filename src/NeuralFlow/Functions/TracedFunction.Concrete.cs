using NeuralFlow.Data;

namespace NeuralFlow;

// tf.function's get_concrete_function, experimental_get_tracing_count and pretty_printed_concrete_signatures.
public sealed partial class TracedFunction
{
    /// <summary>The C# function's parameter names (a lambda's own), for concrete functions' signatures and messages.</summary>
    internal string[] ParameterNames { get; init; } = [];

    /// <summary>
    /// The concrete function of one input signature (<c>get_concrete_function</c>): each of <paramref name="inputs"/> is an
    /// example <see cref="Tensor"/> (its dtype and shape) or a <see cref="TensorSpec"/> (null dimensions take any size).
    /// See <see cref="ConcreteFunction"/> for when it is traced.
    /// </summary>
    /// <exception cref="ArgumentException">Not as many inputs as the function takes, or one that is neither a tensor nor a spec of known rank.</exception>
    public ConcreteFunction GetConcreteFunction(params object[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        // With an input signature the concrete function is the signature's (arguments given must fit it).
        if (_signature is not null && inputs.Length == 0 && ParameterNames.Length > 0) inputs = [.. _signature];
        if (ParameterNames.Length != inputs.Length)
            throw new ArgumentException($"GetConcreteFunction: NF.Function '{Name}' takes {ParameterNames.Length} argument{(ParameterNames.Length == 1 ? "" : "s")}, got {inputs.Length}.", nameof(inputs));
        var specs = new TensorSpec[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            specs[i] = inputs[i] switch
            {
                Tensor t => TensorSpec.FromTensor(t),
                TensorSpec { Rank: not null } s => s,
                TensorSpec s => throw new ArgumentException($"GetConcreteFunction: argument {ParameterNames[i]} is {s}, of unknown rank; NeuralFlow traces tensors of a known rank (give its dimensions, null where any size goes).", nameof(inputs)),
                var other => throw new ArgumentException($"GetConcreteFunction: argument {ParameterNames[i]} must be a Tensor or a TensorSpec, got {(other is null ? "null" : other.GetType().Name)}.", nameof(inputs)),
            };
        }
        if (_signature is not null)
            for (int i = 0; i < specs.Length; i++)
            {
                if (!specs[i].IsSubtypeOf(_signature[i]))
                    throw new ArgumentException($"GetConcreteFunction: argument {ParameterNames[i]} is {specs[i]}, which the input signature's {_signature[i]} does not take.", nameof(inputs));
                specs[i] = _signature[i];
            }
        TensorSpec[]? outputs;
        lock (_gate) outputs = _entries.LastOrDefault(e => e.Outputs is not null && Matches(e, specs))?.Outputs;
        return new ConcreteFunction(this, specs, ParameterNames, outputs);
    }

    // A trace made for exactly that signature (a fully defined one: a null dimension has no single trace).
    private static bool Matches(Entry e, TensorSpec[] specs) =>
        e.Shapes.Length == specs.Length &&
        specs.Select((s, i) => s.IsFullyDefined && s.DType == e.DTypes[i] && s.ShapeFits(e.Shapes[i])).All(m => m);

    /// <summary>How many times the function has been traced (<c>experimental_get_tracing_count</c>; <see cref="TraceCount"/>).</summary>
    public int ExperimentalGetTracingCount() => TraceCount;

    /// <summary>
    /// The signatures of the traces the function keeps, each with its output type, separated by a blank line
    /// (<c>pretty_printed_concrete_signatures</c>).
    /// </summary>
    public string PrettyPrintedConcreteSignatures()
    {
        lock (_gate)
            return string.Join("\n\n", _entries.Where(e => e.Outputs is not null).Select(e =>
                ConcreteFunction.Describe(e.Shapes.Select((s, i) => new TensorSpec(TensorSpec.Known(s), e.DTypes[i])).ToArray(), ParameterNames, e.Outputs)));
    }
}

/// <summary>tf.function's methods on the delegates <c>NF.Function</c> returns (<c>fn.GetConcreteFunction(...)</c>).</summary>
public static class FunctionExtensions
{
    /// <summary>The concrete function of one input signature (<c>get_concrete_function</c>); see <see cref="TracedFunction.GetConcreteFunction"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="function"/> was not made by NF.Function, or the inputs do not fit it.</exception>
    public static ConcreteFunction GetConcreteFunction(this Delegate function, params object[] inputs) => TracedFunction.Of(function).GetConcreteFunction(inputs);

    /// <summary>How many times the function has been traced (<c>experimental_get_tracing_count</c>).</summary>
    public static int ExperimentalGetTracingCount(this Delegate function) => TracedFunction.Of(function).ExperimentalGetTracingCount();

    /// <summary>The signatures of the function's traces (<c>pretty_printed_concrete_signatures</c>).</summary>
    public static string PrettyPrintedConcreteSignatures(this Delegate function) => TracedFunction.Of(function).PrettyPrintedConcreteSignatures();
}
