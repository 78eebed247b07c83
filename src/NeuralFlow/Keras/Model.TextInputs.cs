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
            return sequential.TextEntry;
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
            "NeuralFlow runs a model's text on the host, so a text input must feed exactly one text layer (TextVectorization, StringLookup or Hashing), whose output the rest of the model reads.");
    }

    /// <summary>Whether <paramref name="node"/> is the text layer a functional model runs on the host, before its tensor step.</summary>
    private static bool IsTextFront(FunctionalGraph graph, Node node) =>
        node.Layer is ITextInputLayer && node.Inputs is [{ DType: DType.String } input] && graph.Inputs.Contains(input);

    /// <summary>
    /// <paramref name="xs"/> (one tensor per input, a batch) with each text input run through its
    /// front layer on the host; a text tensor for an input that takes numbers is refused, naming it.
    /// </summary>
    private Tensor[] HostInputs(string method, Tensor[] xs)
    {
        xs = FeedRagged(method, Inputs, xs);   // padded here, before the step moves the batch to the model's device
        Tensor[]? result = null;
        for (int i = 0; i < xs.Length; i++)
        {
            if (!StringCarrier.IsText(xs[i]))
            {
                // A Sequential's Hashing that runs on the host (it has taken text) hashes numbers there too, as Call starts after it.
                if (i == 0 && this is Sequential { TextFrontLayer: { TakesNumbers: true } numbers })
                    (result ??= [.. xs])[i] = ((Layer)numbers).Call(xs[i]);
                continue;
            }
            var front = CheckedTextFront(method, xs, i)!;
            (result ??= [.. xs])[i] = front.CallText(StringCarrier.Read(xs[i]));
        }
        return result ?? xs;
    }

    /// <summary>
    /// Refuses <paramref name="xs"/> when it holds text for an input that takes numbers, naming it;
    /// the text itself stays for <see cref="HostInputs"/> to run batch by batch (Keras vectorizes each
    /// batch, so a TextVectorization without output_sequence_length pads it to its own longest text).
    /// </summary>
    private void CheckTextInputs(string method, Tensor[] xs)
    {
        for (int i = 0; i < xs.Length; i++) CheckedTextFront(method, xs, i);
    }

    // Input i's text layer when xs[i] is text (null when numbers); refused when the model takes
    // numbers there. A Sequential's first Hashing given text runs on the host from now on (TakesText).
    private ITextInputLayer? CheckedTextFront(string method, Tensor[] xs, int i)
    {
        if (!StringCarrier.IsText(xs[i])) return null;
        var front = TextFront(i) ?? throw new ArgumentException(
            $"{method}: x holds text (StringTensor, tf.string) for {(DataComponent(i) ?? $"input {i}")}, but the model takes numbers there. " +
            "Turn the text into numbers first (e.g. vectorize.Call(x), or ds.Map((x, y) => (vectorize.Call(x), y))), or start the model with the TextVectorization layer.", "x");
        TakeText(front);
        return front;
    }

    // A Sequential whose first layer takes numbers too (Hashing) and is now given text runs that
    // layer on the host from here on (Sequential.TextFrontLayer). Called when the data is checked,
    // before any step is made for it.
    private void TakeText(ITextInputLayer front)
    {
        if (this is not Sequential { TakesText: false } sequential || !front.TakesNumbers) return;
        sequential.TakesText = true;
        ForgetSteps();   // steps made for numbers ran the Hashing inside; from now on Call starts after it
    }

    /// <summary>
    /// Whether flat component <paramref name="c"/> of a dataset's elements (<paramref name="schema"/>)
    /// is a text input the model takes: a tuple's components are the inputs in order, a dictionary's
    /// the inputs of its keys' names. Asked only of text components, so a yes sets the model to take text (TakeText).
    /// </summary>
    private bool AcceptsText(ElementStructure schema, int c)
    {
        var features = schema.Parts is { } parts ? parts[0] : schema;
        int input = features.Keys is { } keys ? (c < keys.Count ? InputNames.ToList().IndexOf(keys[c]) : -1) : c < BatchInputs ? c : -1;
        if (input < 0 || TextFront(input) is not { } front) return false;
        TakeText(front);
        return true;
    }
}
