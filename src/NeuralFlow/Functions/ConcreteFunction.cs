using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow;

/// <summary>
/// One input signature of an <c>NF.Function</c> (<c>tf.function</c>'s <c>ConcreteFunction</c>, from
/// <see cref="FunctionExtensions.GetConcreteFunction"/>): callable only with tensors of its dtypes and shapes (a
/// <see cref="TensorSpec"/>'s null dimension takes any size), each call the function's replay for that signature.
/// </summary>
/// <remarks>
/// TensorFlow traces a concrete function without running it. NeuralFlow traces by running the function
/// (its kernels are recorded as they run), and running it on made-up inputs would apply its side effects
/// (a variable update, a random draw) without a call: so a concrete function is traced by its first call, unless
/// the function was already traced for that signature, and later calls replay that trace.
/// <see cref="StructuredOutputs"/> is known from that trace on. A null dimension is traced per size that
/// comes (a replay plan is sized for its shapes), where TensorFlow keeps one graph of unknown size.
/// </remarks>
public sealed class ConcreteFunction
{
    private readonly TracedFunction _function;
    private readonly TensorSpec[] _inputs;
    private readonly string[] _names;
    private TensorSpec[]? _outputs;

    internal ConcreteFunction(TracedFunction function, TensorSpec[] inputs, string[] names, TensorSpec[]? outputs)
    {
        _function = function;
        _inputs = inputs;
        _names = names;
        _outputs = outputs;
    }

    /// <summary>The function's name.</summary>
    public string Name => _function.Name;

    /// <summary>The argument specs the function takes (<c>structured_input_signature</c>'s positional part).</summary>
    public IReadOnlyList<TensorSpec> StructuredInputSignature => _inputs;

    /// <summary>Whether <see cref="StructuredOutputs"/> is known: the signature has been traced.</summary>
    public bool IsTraced => _outputs is not null;

    /// <summary>
    /// The specs of the outputs (<c>structured_outputs</c>), dimensions that differ between the traces of a null input
    /// dimension unknown.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not traced yet: NeuralFlow traces by running, at the first call.</exception>
    public IReadOnlyList<TensorSpec> StructuredOutputs => _outputs ?? throw new InvalidOperationException(
        $"ConcreteFunction '{Name}' is not traced yet: NeuralFlow traces a function by running it, so its outputs are known after its first call.");

    /// <summary>Calls the function with <paramref name="inputs"/>, which must match <see cref="StructuredInputSignature"/>.</summary>
    /// <exception cref="ArgumentException">A wrong number of arguments, or one whose dtype or shape the signature does not take (naming it).</exception>
    public Tensor[] Call(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != _inputs.Length)
            throw new ArgumentException($"ConcreteFunction {Signature()}: takes {_inputs.Length} argument{(_inputs.Length == 1 ? "" : "s")}, got {inputs.Length}.", nameof(inputs));
        for (int i = 0; i < inputs.Length; i++)
        {
            var (t, spec) = (inputs[i], _inputs[i]);
            if (t is null) throw new ArgumentNullException(nameof(inputs), $"ConcreteFunction {Signature()}: argument {_names[i]} is null.");
            if (spec.Mismatch(t) is { } why)
                throw new ArgumentException($"ConcreteFunction {Signature()}: argument {_names[i]} {why} ({spec}).", nameof(inputs));
        }
        var outputs = _function.Call(inputs);
        if (outputs.Any(o => o is null)) return outputs;   // no spec to give (the function runs eagerly, saying why)
        var specs = Array.ConvertAll(outputs, o => TensorSpec.FromTensor(o));
        _outputs = _outputs is { } known && known.Length == specs.Length
            ? known.Zip(specs, (a, b) => a.DType == b.DType ? a.MostSpecificCompatible(b) : b).ToArray()
            : specs;
        return outputs;
    }

    private string Signature() => $"{Name}({string.Join(", ", _names)})";

    /// <summary>As TensorFlow prints a ConcreteFunction: its input parameters with their specs, then its output type.</summary>
    public override string ToString() => "ConcreteFunction " + Describe(_inputs, _names, _outputs);

    // pretty_printed_concrete_signatures' block for one signature.
    internal static string Describe(TensorSpec[] inputs, string[] names, TensorSpec[]? outputs)
    {
        var text = new StringBuilder("Input Parameters:\n");
        for (int i = 0; i < inputs.Length; i++) text.Append($"  {names[i]} (POSITIONAL_ONLY): {inputs[i]}\n");
        text.Append("Output Type:\n  ");
        text.Append(outputs switch
        {
            null => "<not traced yet: known after the first call>",
            [var one] => one.ToString(),
            _ => $"Tuple[{string.Join(", ", outputs.Select(o => o.ToString()))}]",
        });
        return text.ToString();
    }
}
