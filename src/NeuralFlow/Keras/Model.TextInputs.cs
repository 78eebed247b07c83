using NeuralFlow.Data;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Keras;

// Models that take raw text (the text classification tutorial's export model,
// Sequential([vectorize_layer, model, Activation("sigmoid")]), or a functional model whose
// Input(dtype: DType.String) feeds a TextVectorization): NeuralFlow tensors hold no strings, so
// the text layer at the front runs on the host, on each batch's strings, before the model's
// (traced) tensor step, and the step starts at that layer's output (Sequential.Call and the
// functional graph pass the front layer by). Text reaches here as string carriers: a dataset's
// text components, or Predict/Fit/Evaluate's x given as a StringTensor or string[] (ModelData).
public partial class Model
{
    /// <summary>
    /// The layer that turns input <paramref name="input"/>'s text into numbers, when the model
    /// starts there with one (<see cref="ITextInputLayer"/>); else null (the input takes numbers).
    /// </summary>
    internal ITextInputLayer? TextFront(int input)
    {
        if (_graph is { } graph)
            return input < graph.Inputs.Length && TextFrontNode(graph, graph.Inputs[input]) is { } node ? (ITextInputLayer)node.Layer : null;
        if (this is Sequential sequential && input == 0)
            return sequential.TextFrontLayer;
        return null;
    }

    // The one call that reads a functional model's text input: a text layer called on it alone.
    // A text input read any other way (by a numeric layer, or twice) cannot run: refused naming it.
    private static Node? TextFrontNode(FunctionalGraph graph, KerasTensor input)
    {
        if (input.DType != DType.String) return null;
        var readers = graph.Nodes.Where(n => n.Inputs.Any(t => ReferenceEquals(t, input))).ToArray();
        if (readers is [{ Layer: ITextInputLayer, Inputs.Count: 1 } front]) return front;
        throw new NotSupportedException(
            $"The text input '{input.Name}' (dtype string) is read by {(readers.Length == 0 ? "no layer" : string.Join(", ", readers.Select(r => $"{r.Layer.Name} ({r.Layer.GetType().Name})")))}; " +
            "NeuralFlow runs a model's text on the host, so a text input must feed exactly one TextVectorization, whose output the rest of the model reads.");
    }

    /// <summary>Whether <paramref name="node"/> is the text layer a functional model runs on the host, before its tensor step.</summary>
    private static bool IsTextFront(FunctionalGraph graph, Node node) =>
        node.Layer is ITextInputLayer && node.Inputs is [{ DType: DType.String } input] && graph.Inputs.Contains(input);

    /// <summary>
    /// <paramref name="xs"/> (one tensor per input) with each text input run through its front
    /// layer on the host; a text tensor for an input that takes numbers is refused, naming it.
    /// </summary>
    private Tensor[] HostInputs(string method, Tensor[] xs)
    {
        Tensor[]? result = null;
        for (int i = 0; i < xs.Length; i++)
        {
            if (StringCarrier.DTypeOf(xs[i]) != DType.String) continue;
            var front = TextFront(i) ?? throw new ArgumentException(
                $"{method}: x holds text (StringTensor, tf.string) for {(DataComponent(i) ?? $"input {i}")}, but the model takes numbers there. " +
                "Turn the text into numbers first (e.g. vectorize.Call(x), or ds.Map((x, y) => (vectorize.Call(x), y))), or start the model with the TextVectorization layer.", "x");
            (result ??= [.. xs])[i] = front.CallText(StringCarrier.Read(xs[i]));
        }
        return result ?? xs;
    }

    /// <summary>
    /// Whether flat component <paramref name="c"/> of a dataset's elements (<paramref name="schema"/>)
    /// is a text input the model takes: a tuple's components are the inputs in order, a dictionary's
    /// the inputs of its keys' names.
    /// </summary>
    private bool AcceptsText(ElementStructure schema, int c)
    {
        var features = schema.Parts is { } parts ? parts[0] : schema;
        if (features.Keys is { } keys)
            return c < keys.Count && InputNames.ToList().IndexOf(keys[c]) is >= 0 and var input && TextFront(input) is not null;
        return c < BatchInputs && TextFront(c) is not null;
    }
}
