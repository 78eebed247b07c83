namespace NeuralFlow.Keras;

/// <summary>Keras' <c>keras.models</c> functions on whole models.</summary>
public static partial class Models
{
    /// <summary>
    /// A new model with the same layers and connections and freshly initialized weights
    /// (<c>keras.models.clone_model</c>): not compiled, sharing nothing with
    /// <paramref name="model"/> (copy the weights with <c>clone.SetWeights(model.GetWeights())</c>).
    /// A Sequential clones layer by layer; a functional model replays its calls on new inputs, so
    /// shared layers stay shared and nested models are cloned too. <paramref name="cloneFunction"/>
    /// (Keras' <c>clone_function</c>) makes each layer's counterpart instead of
    /// <see cref="CloneLayer"/> (input layers excepted): change a layer's settings, or return the
    /// layer itself to share its weights. A subclassed model is C# code with no graph to replay,
    /// as in Keras without a <c>get_config</c>: construct a new instance instead.
    /// </summary>
    public static Model CloneModel(Model model, Func<Layer, Layer>? cloneFunction = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var clone = cloneFunction ?? CloneLayer;
        // An operation is no layer for the clone function (Keras applies it to layers): a copy of the same call.
        Layer Counterpart(Layer layer) => layer is Layers.InputLayer ? CloneLayer(layer)
            : layer is Operation op ? op.Copy()
            : clone(layer) ?? throw new InvalidOperationException($"CloneModel: the clone function returned null for layer '{layer.Name}' ({layer.GetType().Name}); return a layer.");
        Model result;
        if (model is Sequential sequential)
        {
            result = new Sequential(sequential.AllLayers.Select(Counterpart).ToList(), model.Name);
        }
        else if (model.Graph is { } graph)
        {
            // Each call of the original, in order, on the counterparts of the tensors it read.
            var tensors = new Dictionary<KerasTensor, KerasTensor>(ReferenceEqualityComparer.Instance);
            var layers = new Dictionary<Layer, Layer>(ReferenceEqualityComparer.Instance);
            foreach (var input in graph.Inputs) tensors[input] = ((Layers.InputLayer)Counterpart(input.Layer)).Output;
            foreach (var node in graph.Nodes)
            {
                if (!layers.TryGetValue(node.Layer, out var layer)) layers[node.Layer] = layer = Counterpart(node.Layer);
                var outputs = layer.CallSymbolic(node.Inputs.Select(t => tensors[t]).ToArray(), node.Args);
                for (int i = 0; i < node.Outputs.Length; i++) tensors[node.Outputs[i]] = outputs[i];
            }
            result = new Model(graph.Inputs.Select(t => tensors[t]).ToArray(), graph.Outputs.Select(t => tensors[t]).ToArray(), model.Name);
        }
        else
        {
            throw new NotSupportedException(
                $"CloneModel: {model.Name} is a {model.GetType().Name}, a subclassed model, whose structure is C# code with no graph of layer calls to replay; construct a new {model.GetType().Name} and copy the weights with SetWeights(GetWeights()).");
        }
        if (!model.Trainable) result.SetOwnTrainable(false);
        return result;
    }

    /// <summary>
    /// A new layer of the same type and settings as <paramref name="layer"/>, with fresh weights
    /// (Keras' <c>layer.__class__.from_config(layer.get_config())</c>, what <see cref="CloneModel"/>
    /// does to each layer by default); built for the same input shape when the original is. A
    /// Lambda layer's clone calls the same function; a nested model is cloned with <see cref="CloneModel"/>.
    /// </summary>
    public static Layer CloneLayer(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is Model { IsFunctional: true } or Sequential) return CloneModel((Model)layer);
        if (layer is Layers.Lambda lambda) return lambda.ListFunction is { } listFunction ? new Layers.Lambda(listFunction, lambda.Name) : new Layers.Lambda(lambda.Function, lambda.Name);
        try
        {
            return KerasSerialization.Deserialize(KerasSerialization.Serialize(layer), $"CloneLayer('{layer.Name}')");
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"CloneModel: layer '{layer.Name}' ({layer.GetType().Name}) cannot be rebuilt from its config: {e.Message} Or pass a cloneFunction that constructs it.", e);
        }
    }
}
