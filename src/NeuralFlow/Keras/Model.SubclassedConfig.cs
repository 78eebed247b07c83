using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Model
{
    // NeuralFlow's key in a subclassed model's entry: the input shape each layer it tracks was built
    // for (null: unbuilt), in the order of TrackedLayers.
    private const string LayerBuildShapesKey = "layer_build_shapes";

    /// <summary>
    /// The entry of a subclassed model (Keras 3's serialize_keras_object of a Model subclass): its
    /// class by registration and its <see cref="Layer.GetConfig"/>, which the registered factory
    /// (Keras' <c>from_config</c>) rebuilds it from, plus the shape each layer it tracks was built
    /// for. Keras keeps the model's build_config and calls build; a C# override of Call called
    /// directly is not seen by the model, while each layer's own first call always is, so the
    /// loader builds the layers themselves before the weights are assigned (<see cref="RestoreLayerBuilds"/>).
    /// </summary>
    private JsonObject SubclassedEntry()
    {
        var shapes = new JsonArray();
        TrackedLayers(this, layer => shapes.Add(layer.BuildInputShape is { } s ? new JsonArray([.. s.ToArray().Select(d => (JsonNode)d)]) : null));
        var entry = new JsonObject { ["class_name"] = KerasSerialization.ClassNameOf(this), ["config"] = GetConfig() };
        if (KerasSerialization.UserModule(this) is { } module) entry["module"] = module;
        entry[LayerBuildShapesKey] = shapes;
        return entry;
    }

    /// <summary>
    /// Builds the layers of <paramref name="model"/>, just made from a subclassed entry's config, for
    /// the shapes <see cref="SubclassedEntry"/> recorded, so that they hold the weights the file does.
    /// An entry of another version of the class (its layers not those recorded) is an
    /// <see cref="InvalidDataException"/>.
    /// </summary>
    internal static void RestoreLayerBuilds(Model model, JsonObject entry, string file)
    {
        if (entry[LayerBuildShapesKey] is not JsonArray shapes) return;
        int i = 0;
        TrackedLayers(model, layer =>
        {
            if (i >= shapes.Count)
                throw new InvalidDataException($"'{file}': {model.Name} ({model.GetType().Name}) tracks more layers than the {shapes.Count} it was saved with: its class or config differs from the saved one's.");
            if (shapes[i++] is JsonArray dims && layer is not Model) layer.EnsureBuilt(new Shape([.. dims.Select(d => d!.GetValue<int>())]));
        });
        if (i != shapes.Count)
            throw new InvalidDataException($"'{file}': {model.Name} ({model.GetType().Name}) tracks {i} layers, but was saved with {shapes.Count}: its class or config differs from the saved one's.");
    }

    /// <summary>
    /// Visits every layer <paramref name="root"/> tracks, each once, depth first, a layer before the
    /// layers it holds (read after the visit, so a layer built there is walked with the children its
    /// build made); nested models are walked through.
    /// </summary>
    private static void TrackedLayers(Layer root, Action<Layer> visit)
    {
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance) { root };
        var pending = new Stack<Layer>(root.SubLayers.Reverse());
        while (pending.TryPop(out var layer))
        {
            if (!seen.Add(layer)) continue;
            visit(layer);
            foreach (var inner in layer.SubLayers.Reverse()) pending.Push(inner);
        }
    }
}
