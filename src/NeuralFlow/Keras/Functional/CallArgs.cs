using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// How a functional graph calls a layer besides its positional inputs (Keras' call keyword
/// arguments): whether the inputs go as a list, the names of the keyword tensors that follow
/// them among the node's inputs (an RNN's <c>initial_state</c>, an attention layer's
/// <c>attention_mask</c>), and plain options (<c>use_causal_mask</c>). Saved in config.json's
/// inbound_nodes as tf.keras writes call keyword arguments.
/// </summary>
internal sealed class CallArgs
{
    public CallArgs(bool listCall, IReadOnlyList<string>? keywords = null, JsonObject? options = null)
    {
        ListCall = listCall;
        Keywords = keywords ?? [];
        Options = options ?? [];
    }

    /// <summary>A call on one tensor.</summary>
    public static CallArgs One { get; } = new(listCall: false);

    /// <summary>A call on a list of tensors (merge layers, a model of several inputs).</summary>
    public static CallArgs List { get; } = new(listCall: true);

    /// <summary>True when the layer was called on a list: it runs with <c>Call(IReadOnlyList)</c> again.</summary>
    public bool ListCall { get; }

    /// <summary>The keyword of each tensor after the positional inputs, in order (a keyword repeats for a list).</summary>
    public IReadOnlyList<string> Keywords { get; }

    /// <summary>The keyword arguments that are not tensors (flags), by Keras' names.</summary>
    public JsonObject Options { get; }

    /// <summary>True for a call with nothing but its positional inputs.</summary>
    public bool Plain => Keywords.Count == 0 && Options.Count == 0;

    /// <summary>The positional inputs among a node's <paramref name="inputs"/>.</summary>
    public T[] Positional<T>(IReadOnlyList<T> inputs) => inputs.Take(inputs.Count - Keywords.Count).ToArray();

    /// <summary>The tensors passed as <paramref name="keyword"/>, in order (none when absent).</summary>
    public T[] Named<T>(IReadOnlyList<T> inputs, string keyword)
    {
        int first = inputs.Count - Keywords.Count;
        return Keywords.Select((k, i) => (k, i)).Where(p => p.k == keyword).Select(p => inputs[first + p.i]).ToArray();
    }

    /// <summary>The one tensor passed as <paramref name="keyword"/>, or null.</summary>
    public T? Single<T>(IReadOnlyList<T> inputs, string keyword) where T : class => Named(inputs, keyword).FirstOrDefault();

    /// <summary>Keras' name of the call's learning-phase argument (<c>base_model(x, training=False)</c>).</summary>
    public const string TrainingKey = "training";

    /// <summary>A call in a fixed learning phase: <c>layer(x, training=...)</c> in a functional graph.</summary>
    public static CallArgs InPhase(bool listCall, bool training) => new(listCall, options: new JsonObject { [TrainingKey] = training });

    /// <summary>The learning phase the call was recorded with (<c>training=False</c>), or null when it follows Fit's or Predict's.</summary>
    public bool? Training => Options[TrainingKey] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>These arguments without the learning phase (which the graph applies around the layer's call).</summary>
    public CallArgs WithoutTraining()
    {
        if (!Options.ContainsKey(TrainingKey)) return this;
        var options = (JsonObject)Options.DeepClone();
        options.Remove(TrainingKey);
        return new CallArgs(ListCall, Keywords, options);
    }

    /// <summary>A flag among <see cref="Options"/> (false when absent).</summary>
    public bool Flag(string name) => Options[name] is JsonValue v && v.GetValue<bool>();
}
