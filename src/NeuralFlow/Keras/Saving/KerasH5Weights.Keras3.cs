using System.Text.RegularExpressions;
using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Keras.Saving;

internal static partial class KerasH5Weights
{
    private const int MaxDepth = 64;

    // Keras 3 (saving_lib._save_state / _save_container_state): a model's layers are groups
    // under "layers", each named after its class in snake case and numbered per class within
    // its container (dense, dense_1, ...: never the layer's own name); a layer's own variables
    // are "vars/0", "vars/1", ...; its tracked children (an RNN's "cell", a wrapper's layers)
    // are subgroups named after the attribute, walked in natural sort order; a nested model is
    // walked the same way. The optimizer's group, and the model's own empty "vars", are ignored.
    private static void MatchKeras3(Model model, Hdf5Group group, string path, List<(Variable, Hdf5Dataset, string)> pairs, int depth = 0)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"LoadWeights: '{path}' nests models more than {MaxDepth} deep.");
        var layersGroup = group.Group("layers");
        foreach (var (layer, name) in Keras3GroupNames(model))
        {
            var variables = layer.Variables;
            if (variables.Count == 0) continue;
            // Keras walks a layer's child layers by attribute name, sorted (MultiHeadAttention's
            // _key_dense before _query_dense); NeuralFlow's fields are not those names, so a layer
            // holding two or more weighted layers could get its values crosswise: refused instead.
            if (layer is not Model && layer.SubLayers.Count(s => s.Variables.Count > 0) > 1)
                throw new InvalidDataException(
                    $"LoadWeights: layer '{layer.Name}' ({layer.GetType().Name}) holds several layers with weights, which Keras 3's .weights.h5 stores by attribute name; loading them is not supported: save them from Keras with the legacy .h5 format (model.save_weights(\"x.h5\") in Keras 2, or keras.src.legacy.saving) or set them with SetWeights.");
            string where = $"layers/{name}";
            var layerGroup = layersGroup?.Group(name) ?? throw new InvalidDataException(
                $"LoadWeights: '{path}' has no group '{group.Path.TrimEnd('/')}/{where}' for layer '{layer.Name}' ({variables.Count} weights): it was saved from another architecture.");
            if (layer is Model nested)
            {
                MatchKeras3(nested, layerGroup, path, pairs, depth + 1);
                continue;
            }
            var values = new List<Hdf5Dataset>();
            Gather(layerGroup, values, new HashSet<ulong>(), 0, path);
            if (values.Count != variables.Count)
                throw new InvalidDataException(
                    $"LoadWeights: layer '{layer.Name}' has {variables.Count} weights ({string.Join(", ", variables.Select(v => $"{v.Name} {v.Shape}"))}), but '{layerGroup.Path}' in '{path}' holds {values.Count}.");
            for (int i = 0; i < values.Count; i++) pairs.Add((variables[i], values[i], layer.Name));
        }
    }

    // Each layer (inputs left out) with the name of its group under "layers": its class in snake
    // case, numbered per class within its container (layers without weights counted too).
    internal static IEnumerable<(Layer Layer, string Name)> Keras3GroupNames(Model model)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in TopLayers(model))
        {
            string name = SnakeCase(Model.SummaryClass(layer));
            if (used.TryGetValue(name, out int n)) name = $"{name}_{used[name] = n + 1}";
            else used[name] = 0;
            yield return (layer, name);
        }
    }

    // A layer's values in Keras' order: its own vars/0, vars/1, ..., then its children's, depth first.
    private static void Gather(Hdf5Group group, List<Hdf5Dataset> values, HashSet<ulong> seen, int depth, string path)
    {
        if (!seen.Add(group.Address) || depth > MaxDepth)
            throw new InvalidDataException($"LoadWeights: '{path}' has groups that loop or nest too deep at '{group.Path}'.");
        if (group.Group("vars") is { } vars)
        {
            var names = vars.Names;
            for (int i = 0; i < names.Count; i++)
                values.Add(vars.Get(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) as Hdf5Dataset ?? throw new InvalidDataException(
                    $"LoadWeights: '{vars.Path}' in '{path}' has {names.Count} members but no dataset '{i}'."));
        }
        foreach (var child in group.Names.Where(n => n != "vars").Order(NaturalOrder.Instance))
            if (group.Get(child) is Hdf5Group sub) Gather(sub, values, seen, depth + 1, path);
    }

    // keras.src.utils.naming.to_snake_case: "Conv2D" -> "conv2d", "BatchNormalization" -> "batch_normalization".
    internal static string SnakeCase(string name)
    {
        name = Regex.Replace(name, @"\W+", "");
        name = Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        return Regex.Replace(name, "([a-z])([A-Z])", "$1_$2").ToLowerInvariant();
    }

    // keras.src.utils.file_utils / saving_lib's natural_sort_key: digit runs compare as numbers.
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? a, string? b)
        {
            var x = Regex.Split(a ?? "", @"(\d+)");
            var y = Regex.Split(b ?? "", @"(\d+)");
            for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                int c = i % 2 == 1 && x[i].Length < 10 && y[i].Length < 10
                    ? long.Parse(x[i]).CompareTo(long.Parse(y[i]))
                    : string.Compare(x[i], y[i], StringComparison.OrdinalIgnoreCase);
                if (c != 0) return c;
            }
            return x.Length.CompareTo(y.Length);
        }
    }
}
