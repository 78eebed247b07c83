using System.Runtime.InteropServices;
using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// Loads weights that Keras wrote to HDF5 into a model of the same architecture built in C#:
/// Keras 3's <c>model.save_weights("x.weights.h5")</c> (groups by the object tree,
/// <c>layers/dense_1/vars/0</c>, keras/src/saving/saving_lib.py) and the legacy format of
/// Keras 2 / tf.keras (<c>save_weights("x.h5")</c> and whole-model <c>save("x.h5")</c>:
/// attribute <c>layer_names</c>, each layer's <c>weight_names</c>,
/// keras/src/legacy/saving/legacy_h5_format.py load_weights_from_hdf5_group). NeuralFlow's
/// variables have Keras' names, shapes and layouts (Dense [in, out], Conv2D [kh, kw, in, out],
/// LSTM/GRU gates in Keras' order), so values are assigned as stored.
/// </summary>
internal static partial class KerasH5Weights
{
    public static void Load(Model model, string path)
    {
        using var file = Hdf5File.Open(path);
        var root = file.Root;
        var legacy = root.Attributes.ContainsKey("layer_names") || root.Attributes.ContainsKey("layer_names0") ? root : root.Group("model_weights");
        var pairs = new List<(Variable Target, Hdf5Dataset Value, string Layer)>();
        if (legacy is not null) MatchLegacy(model, legacy, path, pairs);
        else if (root.Group("layers") is not null || root.Group("vars") is not null)
        {
            MatchKeras3(model, root, path, pairs);
            int ownSaved = MatchOwnKeras3(model, root, path, pairs);
            // Keras 3 loads what the model asks for and ignores the rest; a file with more weights
            // than the model takes was saved from another architecture, and half-loading it is refused.
            var saved = new List<Hdf5Dataset>();
            if (root.Group("layers") is { } layers) Gather(layers, saved, new HashSet<ulong>(), 0, path);
            if (saved.Count + ownSaved != pairs.Count)
                throw new InvalidDataException(
                    $"LoadWeights: '{path}' holds {saved.Count + ownSaved} weights ({saved.Count} under 'layers', {ownSaved} in the model's own 'vars'), and {model.Name} takes {pairs.Count}: it was saved from another architecture.");
        }
        else
            throw new InvalidDataException(
                $"LoadWeights: '{path}' is an HDF5 file but holds no Keras weights: neither a 'layer_names' attribute (Keras 2 .h5), a 'model_weights' group (a whole-model .h5) nor a 'layers' group (Keras 3 .weights.h5).");
        Assign(pairs, path);
    }

    // Checks every pair (shape, float or integer) before writing any, so that a bad file changes nothing.
    private static void Assign(List<(Variable Target, Hdf5Dataset Value, string Layer)> pairs, string path)
    {
        var values = new List<Tensor>(pairs.Count);
        try
        {
            foreach (var (target, value, layer) in pairs)
            {
                var shape = value.Shape;
                if (!shape.Select(d => (int)d).SequenceEqual(target.Shape.ToArray()))
                    throw new InvalidDataException(
                        $"LoadWeights: layer '{layer}' weight '{target.Name}' has shape {target.Shape}, but '{value.Path}' in '{path}' has shape ({string.Join(", ", shape)}).");
                // Float weights take floats; an integer weight (Normalization's int64 count) takes integers.
                var wanted = target.DType.IsFloating() ? Hdf5Class.Float : Hdf5Class.Integer;
                if (value.Type.Class != wanted)
                    throw new InvalidDataException(
                        $"LoadWeights: '{value.Path}' in '{path}' is {value.Type.Name}, not {(wanted == Hdf5Class.Float ? "a float" : "an integer")} weight (for '{target.Name}').");
            }
            foreach (var (target, value, _) in pairs) values.Add(ToTensor(value, target.Shape));
            for (int i = 0; i < pairs.Count; i++) Layer.AssignConverted(pairs[i].Target, values[i]);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    internal static Tensor ToTensor(Hdf5Dataset value, Shape shape)
    {
        var bytes = value.ReadBytes();
        if (value.Type.Class == Hdf5Class.Integer)
            return value.Type.Size switch
            {
                1 when !value.Type.Signed => Engine.FromHost<byte>(bytes, shape, NF.Backend),
                4 => Engine.FromHost<int>(MemoryMarshal.Cast<byte, int>(bytes), shape, NF.Backend),
                8 => Engine.FromHost<long>(MemoryMarshal.Cast<byte, long>(bytes), shape, NF.Backend),
                _ => throw new InvalidDataException($"'{value.Path}' holds {value.Type.Name}, which no NeuralFlow weight holds."),
            };
        return value.Type.Size switch
        {
            2 => Engine.FromHost<Half>(MemoryMarshal.Cast<byte, Half>(bytes), shape, NF.Backend),
            4 => Engine.FromHost<float>(MemoryMarshal.Cast<byte, float>(bytes), shape, NF.Backend),
            _ => Engine.FromHost<double>(MemoryMarshal.Cast<byte, double>(bytes), shape, NF.Backend),
        };
    }

    // Keras 2 (legacy_h5_format.load_weights_from_hdf5_group): the file's layers with weights,
    // in order, against the model's top-level layers with weights; each layer's values are
    // its `weight_names`, matched to trainable then non-trainable weights (_legacy_weights).
    private static void MatchLegacy(Model model, Hdf5Group group, string path, List<(Variable, Hdf5Dataset, string)> pairs)
    {
        var saved = new List<(string Name, string[] Weights, Hdf5Group Group)>();
        foreach (var name in Strings(group, "layer_names", path))
        {
            var layerGroup = group.Group(name) ?? throw new InvalidDataException(
                $"LoadWeights: '{path}' lists layer '{name}' in layer_names but has no group for it.");
            var weights = Strings(layerGroup, "weight_names", path);
            if (weights.Length > 0) saved.Add((name, weights, layerGroup));
        }
        var layers = TopLayers(model).Where(l => l.Variables.Count > 0).ToList();
        if (layers.Count != saved.Count)
            throw new InvalidDataException(
                $"LoadWeights: layer count mismatch: {model.Name} has {layers.Count} layers with weights ({string.Join(", ", layers.Select(l => l.Name))}), '{path}' holds {saved.Count} ({string.Join(", ", saved.Select(s => s.Name))}).");
        for (int k = 0; k < layers.Count; k++)
        {
            var layer = layers[k];
            var (name, names, layerGroup) = saved[k];
            PairLayer(layer, name, names, layerGroup, path, pairs, $"layer #{k} ('{layer.Name}' in {model.Name}, '{name}' in '{path}')");
        }
        var own = OwnLegacyWeights(model, layers);
        var top = group.Group(TopLevelWeights);
        var ownNames = top is null ? [] : Strings(top, "weight_names", path);
        if (own.Count != ownNames.Length)
            throw new InvalidDataException(
                $"LoadWeights: {model.Name} has {own.Count} weights of its own (held by no layer: {string.Join(", ", own.Select(v => v.Name))}), but '{path}' holds {ownNames.Length} in '{TopLevelWeights}': it was saved from another architecture.");
        for (int i = 0; i < ownNames.Length; i++)
            pairs.Add((own[i], top!.Get(ownNames[i]) as Hdf5Dataset ?? throw new InvalidDataException(
                $"LoadWeights: '{path}' names weight '{ownNames[i]}' in '{TopLevelWeights}' but holds no dataset there."), model.Name));
    }

    // One layer's weights against the file's `weight_names` of its group: trainable then
    // non-trainable, as Keras 2's _legacy_weights lists them.
    private static void PairLayer(Layer layer, string name, string[] names, Hdf5Group layerGroup, string path,
                                  List<(Variable, Hdf5Dataset, string)> pairs, string which)
    {
        var ordered = layer.WeightsAndTraining().OrderBy(p => p.Trained ? 0 : 1).Select(p => p.Variable).ToList();
        var weights = Model.VariablesInFile(ordered, names.Length) ?? ordered;
        if (weights.Count != names.Length)
            throw new InvalidDataException(
                $"LoadWeights: weight count mismatch for {which}: the layer has {weights.Count} weights, the file {names.Length} ({string.Join(", ", names)}).");
        for (int i = 0; i < names.Length; i++)
        {
            var value = layerGroup.Get(names[i]) as Hdf5Dataset ?? throw new InvalidDataException(
                $"LoadWeights: '{path}' names weight '{names[i]}' for layer '{name}' but holds no dataset there.");
            pairs.Add((weights[i], value, layer.Name));
        }
    }

    // Keras' model.layers, without inputs: a Sequential's layers in order, a functional model's in
    // Keras' graph order (FunctionalGraph.KerasOrder), which its files follow.
    private static IEnumerable<Layer> TopLayers(Model model) =>
        (model.Graph?.KerasOrder ?? model.SubLayers).Where(l => l is not Layers.InputLayer);

    /// <summary>Keras' <c>model.trainable_variables</c>: each layer's, in Keras' layer order, nested models walked the same way.</summary>
    internal static IEnumerable<Variable> TrainableInKerasOrder(Model model) =>
        TopLayers(model).SelectMany(l => l is Model nested ? TrainableInKerasOrder(nested) : l.TrainableVariables);

    // A list-of-strings attribute, or Keras' chunked form of a long one (name0, name1, ...;
    // legacy_h5_format.load_attributes_from_hdf5_group); missing means empty.
    internal static string[] Strings(Hdf5Group group, string name, string path)
    {
        var attributes = group.Attributes;
        if (attributes.TryGetValue(name, out var value)) return AsStrings(value, name, group, path);
        var parts = new List<string>();
        for (int i = 0; attributes.TryGetValue($"{name}{i}", out var part); i++) parts.AddRange(AsStrings(part, name, group, path));
        return [.. parts];
    }

    private static string[] AsStrings(object value, string name, Hdf5Group group, string path) => value switch
    {
        string[] strings => strings,
        string one => [one],
        double[] { Length: 0 } or long[] { Length: 0 } => [],   // numpy writes an empty list as an empty float array
        _ => throw new InvalidDataException($"LoadWeights: attribute '{name}' of '{group.Path}' in '{path}' is not a list of strings."),
    };
}
