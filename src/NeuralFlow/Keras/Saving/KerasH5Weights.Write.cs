using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// The writing side of <see cref="KerasH5Weights"/>: a model's weights in the HDF5 layouts Keras
/// reads, each the exact inverse of its reader here, so a file NeuralFlow writes loads in Keras
/// and back in NeuralFlow.
/// </summary>
internal static partial class KerasH5Weights
{
    /// <summary>The Keras version written in files of the legacy layout (tf.keras 2's last).</summary>
    internal const string LegacyKerasVersion = "2.15.0";

    /// <summary>
    /// Keras 3's layout (saving_lib._save_state, what <c>save_weights("x.weights.h5")</c> and the
    /// model.weights.h5 of a <c>.keras</c> archive hold): the model's own empty <c>vars</c>, then
    /// each layer with weights as <c>layers/{snake_case class}[_n]/vars/{i}</c>, a nested model's
    /// layers under its own group. Returns where each variable went (its dataset's path).
    /// </summary>
    public static Dictionary<Variable, string> WriteKeras3(Model model, Hdf5Writer.GroupNode root)
    {
        var paths = new Dictionary<Variable, string>(ReferenceEqualityComparer.Instance);
        root.Group("vars");
        WriteKeras3(model, root, paths, 0);
        // Weights no layer of Keras' walk holds (none today) go to the model's own vars, so none is lost.
        var vars = root.Group("vars");
        int own = 0;
        foreach (var v in model.Variables)
            if (!paths.ContainsKey(v)) paths[v] = vars.Dataset((own++).ToString(System.Globalization.CultureInfo.InvariantCulture), v).Path;
        return paths;
    }

    private static void WriteKeras3(Model model, Hdf5Writer.GroupNode group, Dictionary<Variable, string> paths, int depth)
    {
        if (depth > MaxDepth) throw new InvalidOperationException($"SaveWeights: {model.Name} nests models more than {MaxDepth} deep.");
        foreach (var (layer, name) in Keras3GroupNames(model))
        {
            var variables = layer.Variables;
            if (variables.Count == 0) continue;
            var layerGroup = group.Group($"layers/{name}");
            if (layer is Model nested)
            {
                WriteKeras3(nested, layerGroup, paths, depth + 1);
                continue;
            }
            // Where Keras keeps each weight; a layer not mapped there gets them flat under vars
            // (NeuralFlow reads them back by path; Keras cannot pair such a layer's children).
            var where = Keras3Paths(layer) ?? variables.Select((v, i) => ($"vars/{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}", v)).ToList();
            foreach (var (at, variable) in where)
            {
                if (paths.ContainsKey(variable)) continue;   // a weight two layers share is written once, by the first
                var (parent, leaf) = At(layerGroup, at);
                paths[variable] = parent.Dataset(leaf, variable).Path;
            }
        }
    }

    /// <summary>
    /// The legacy layout of Keras 2 / tf.keras (legacy_h5_format.save_weights_to_hdf5_group: what
    /// <c>save_weights("x.h5")</c> writes at the root and a whole-model <c>save("x.h5")</c> under
    /// <c>model_weights</c>): attributes <c>layer_names</c> (Keras' <c>model.layers</c>),
    /// <c>backend</c> and <c>keras_version</c>; per layer a group with attribute
    /// <c>weight_names</c> (<c>"dense/kernel:0"</c>, trainable weights first) and a dataset at each name.
    /// </summary>
    public static void WriteLegacy(Model model, Hdf5Writer.GroupNode group)
    {
        // Keras 2's model.layers: a functional model's inputs among them, a Sequential's hidden.
        var layers = (model.Graph?.KerasOrder ?? model.SubLayers.Where(l => l is not Layers.InputLayer)).ToList();
        Names(group, "layer_names", layers.Select(l => l.Name).ToArray());
        group.VariableLengthAttribute("backend", "tensorflow");
        group.VariableLengthAttribute("keras_version", LegacyKerasVersion);
        foreach (var layer in layers)
        {
            var layerGroup = group.Group(layer.Name);
            var weights = layer.WeightsAndTraining().OrderBy(p => p.Trained ? 0 : 1).Select(p => p.Variable).ToList();
            var names = weights.Select(v => $"{v.Name}:0").ToArray();
            if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
                throw new InvalidOperationException(
                    $"SaveWeights: layer '{layer.Name}' has two weights named alike ({string.Join(", ", names)}), which the legacy .h5 layout cannot hold apart; save to a .weights.h5 file (Keras 3's layout) instead.");
            Names(layerGroup, "weight_names", names);
            for (int i = 0; i < weights.Count; i++)
            {
                var (parent, name) = At(layerGroup, names[i]);
                parent.Dataset(name, weights[i]);
            }
        }
        // A subclassed model's own variables (held by no layer) go where tf.keras puts them, in a
        // "top_level_model_weights" group beside the layers' (not listed in layer_names).
        var own = OwnLegacyWeights(model, layers);
        if (own.Count > 0)
        {
            var top = group.Group(TopLevelWeights);
            var names = OwnLegacyNames(own);
            Names(top, "weight_names", names);
            for (int i = 0; i < own.Count; i++) top.Dataset(names[i], own[i]);
        }
    }

    /// <summary>The group of a legacy .h5 that holds a model's own weights (tf.keras' name for it).</summary>
    internal const string TopLevelWeights = "top_level_model_weights";

    /// <summary>The model's weights no layer of <paramref name="layers"/> holds, trainable ones first (tf.keras' order for them).</summary>
    internal static List<Variable> OwnLegacyWeights(Model model, IEnumerable<Layer> layers)
    {
        var held = new HashSet<Variable>(layers.SelectMany(l => l.Variables), ReferenceEqualityComparer.Instance);
        return model.WeightsAndTraining().Where(p => !held.Contains(p.Variable)).OrderBy(p => p.Trained ? 0 : 1).Select(p => p.Variable).ToList();
    }

    // "w:0", "b:0", as tf.keras names a variable in a file; a name two of them share gets its position
    // (the reader pairs them by order, as tf.keras', so the names only need to be apart).
    private static string[] OwnLegacyNames(List<Variable> own)
    {
        var names = own.Select(v => $"{v.Name.Replace('/', '_')}:0").ToArray();
        for (int i = 0; i < names.Length; i++)
            if (Array.IndexOf(names, names[i]) != i) names[i] = $"{own[i].Name.Replace('/', '_')}_{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}:0";
        return names;
    }

    /// <summary>The group a slash path's last name lives in (made as needed) and that name: "m/dense/kernel:0" is "kernel:0" in m/dense.</summary>
    internal static (Hdf5Writer.GroupNode Parent, string Name) At(Hdf5Writer.GroupNode group, string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? (group, path) : (group.Group(path[..slash]), path[(slash + 1)..]);
    }

    // Keras' HDF5_OBJECT_HEADER_LIMIT: a list of names larger than this is split into name0, name1, ...
    private const int HeaderLimit = 64512;

    // A list of names as legacy_h5_format.save_attributes_to_hdf5_group writes it: one attribute of
    // fixed-length strings, or as many equal parts (numpy's array_split) as keep each under the limit.
    internal static void Names(Hdf5Writer.Node node, string name, string[] names)
    {
        long width = Math.Max(1, names.Select(n => (long)System.Text.Encoding.UTF8.GetByteCount(n)).DefaultIfEmpty(1).Max());
        if (width > HeaderLimit)
            throw new InvalidOperationException($"SaveWeights: the name '{names.First(n => System.Text.Encoding.UTF8.GetByteCount(n) == width)[..40]}...' is longer than the {HeaderLimit} bytes an HDF5 attribute holds.");
        int chunks = 1;
        while ((names.Length + chunks - 1) / chunks * width > HeaderLimit) chunks++;
        if (chunks == 1)
        {
            node.Attribute(name, names);
            return;
        }
        for (int c = 0, start = 0; c < chunks; c++)
        {
            // array_split: the first (length % chunks) parts one longer.
            int size = names.Length / chunks + (c < names.Length % chunks ? 1 : 0);
            node.Attribute($"{name}{c}", names[start..(start + size)]);
            start += size;
        }
    }
}
