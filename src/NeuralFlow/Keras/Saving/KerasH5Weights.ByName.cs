using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Keras.Saving;

internal static partial class KerasH5Weights
{
    /// <summary>
    /// Loads a legacy Keras .h5 weights file (<c>layer_names</c>, each layer's <c>weight_names</c>)
    /// by layer name, as tf.keras' <c>load_weights(path, by_name=True)</c> does
    /// (legacy_h5_format.load_weights_from_hdf5_group_by_name): each saved layer's values go to
    /// the model's layer of that name, whatever order either lists them in. Unlike Keras, which
    /// skips names it does not find, every layer with weights on either side must have its
    /// partner: the Keras applications' files are made for one architecture (with or without its
    /// classifier), and a file that leaves layers at their random start, or holds a layer the
    /// model lacks, is the wrong file. <paramref name="caller"/> starts each message. Any other
    /// Keras HDF5 layout (Keras 3's .weights.h5) is matched as <see cref="Load"/> matches it.
    /// </summary>
    public static void LoadByName(Model model, string path, string caller)
    {
        using var file = Hdf5File.Open(path);
        var root = file.Root;
        var legacy = root.Attributes.ContainsKey("layer_names") || root.Attributes.ContainsKey("layer_names0") ? root : root.Group("model_weights");
        if (legacy is null)
        {
            Load(model, path);
            return;
        }
        var byName = new Dictionary<string, Layer>(StringComparer.Ordinal);
        foreach (var layer in TopLayers(model).Where(l => l.Variables.Count > 0)) byName[layer.Name] = layer;
        var pairs = new List<(Variable Target, Hdf5Dataset Value, string Layer)>();
        var found = new HashSet<string>(StringComparer.Ordinal);
        var extra = new List<string>();
        foreach (var name in Strings(legacy, "layer_names", path))
        {
            var layerGroup = legacy.Group(name) ?? throw new InvalidDataException(
                $"{caller}: '{path}' lists layer '{name}' in layer_names but has no group for it.");
            var names = Strings(layerGroup, "weight_names", path);
            if (names.Length == 0) continue;
            if (!byName.TryGetValue(name, out var layer))
            {
                extra.Add(name);
                continue;
            }
            found.Add(name);
            PairLayer(layer, name, names, layerGroup, path, pairs, $"layer '{name}' of {model.Name} and '{path}'");
        }
        var missing = byName.Keys.Where(n => !found.Contains(n)).ToList();
        if (extra.Count > 0 || missing.Count > 0)
            throw new InvalidDataException(
                $"{caller}: '{path}' does not hold {model.Name}'s weights: " +
                string.Join("; ", new[]
                {
                    extra.Count > 0 ? $"it holds {Few(extra)}, which {model.Name} lacks" : null,
                    missing.Count > 0 ? $"it lacks {Few(missing)}, which {model.Name} has" : null,
                }.Where(s => s is not null)) +
                ". Pass the weights file made for this architecture and these arguments (with or without its classifier, the same widths and classes).");
        Assign(pairs, path);
    }

    private static string Few(List<string> names) =>
        (names.Count == 1 ? "layer " : $"{names.Count} layers: ") + string.Join(", ", names.Take(6).Select(n => $"'{n}'")) + (names.Count > 6 ? ", ..." : "");
}
