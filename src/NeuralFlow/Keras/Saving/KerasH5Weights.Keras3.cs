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
            if (layer is not Model && Keras3Paths(layer) is { } known)
            {
                var layerGroupOf = layersGroup?.Group(name) ?? throw new InvalidDataException(
                    $"LoadWeights: '{path}' has no group '{group.Path.TrimEnd('/')}/layers/{name}' for layer '{layer.Name}' ({variables.Count} weights): it was saved from another architecture.");
                foreach (var (at, variable) in known)
                {
                    var value = layerGroupOf.Get(at) as Hdf5Dataset;
                    // A file NeuralFlow wrote before the layer gained this weight (Normalization's count): it keeps its value.
                    if (value is null && variable.AbsentFromOlderFiles) continue;
                    pairs.Add((variable, value ?? throw new InvalidDataException(
                        $"LoadWeights: '{path}' has no dataset '{layerGroupOf.Path}/{at}' for weight '{variable.Name}' of layer '{layer.Name}': it was saved from another architecture."), layer.Name));
                }
                continue;
            }
            // Keras walks a layer's child layers by attribute name, sorted (MultiHeadAttention's
            // _key_dense before _query_dense); for a layer Keras3Paths does not map, NeuralFlow's fields are not
            // those names, so a layer holding weighted layers could get its values crosswise: refused instead.
            if (layer is not Model && layer.SubLayers.Any(s => s.Variables.Count > 0))
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

    /// <summary>
    /// Pairs the variables no layer holds (a subclassed model's own <c>Variable</c> fields, the guide's
    /// <c>self.w = tf.Variable(5.0)</c>) with the model's own <c>vars/{i}</c>, in the order
    /// <see cref="WriteKeras3"/> wrote them there (Keras 3 keeps a model's own variables there too).
    /// Returns how many datasets that group holds, for the caller's count of what the file saved.
    /// </summary>
    private static int MatchOwnKeras3(Model model, Hdf5Group root, string path, List<(Variable, Hdf5Dataset, string)> pairs)
    {
        var paired = new HashSet<Variable>(pairs.Select(p => p.Item1), ReferenceEqualityComparer.Instance);
        var vars = root.Group("vars");
        int own = 0;
        foreach (var variable in model.Variables)
        {
            if (!paired.Add(variable)) continue;
            string at = own++.ToString(System.Globalization.CultureInfo.InvariantCulture);
            pairs.Add((variable, vars?.Get(at) as Hdf5Dataset ?? throw new InvalidDataException(
                $"LoadWeights: '{path}' has no dataset 'vars/{at}' for {model.Name}'s own weight '{variable.Name}' (held by no layer): it was saved from another architecture."), model.Name));
        }
        int saved = 0;
        if (vars is not null)
            while (vars.Get(saved.ToString(System.Globalization.CultureInfo.InvariantCulture)) is Hdf5Dataset) saved++;
        return saved;
    }

    /// <summary>
    /// Where Keras 3 keeps each weight of <paramref name="layer"/> inside the layer's group: its own
    /// variables as <c>vars/{i}</c>, a child layer's under the attribute that holds it in Keras: a
    /// recurrent layer's cell (<c>cell/vars/{i}</c>; stacked cells <c>cell/cells/lstm_cell/vars/{i}</c>), a Bidirectional's <c>forward_layer</c> and
    /// <c>backward_layer</c>, a TimeDistributed's <c>layer</c>, an attention layer's projections
    /// (<c>_query_dense/vars/0</c>, ...). Null for a layer with weighted children whose Keras
    /// attribute names are not mapped here.
    /// </summary>
    internal static List<(string Path, Variable Variable)>? Keras3Paths(Layer layer)
    {
        static string Index(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        List<(string, Variable)>? Under(string attribute, Layer child) =>
            Keras3Paths(child)?.Select(p => ($"{attribute}/{p.Path}", p.Variable)).ToList();
        switch (layer)
        {
            case Layers.RNN rnn when rnn.Variables.Count == rnn.Cell.Variables.Count:
                // A user's cell holding weighted layers Keras names by attribute: flat, as NeuralFlow reads it back.
                return Under("cell", rnn.Cell) ?? rnn.Cell.Variables.Select((v, i) => ($"cell/vars/{Index(i)}", v)).ToList();
            case Layers.StackedRNNCells stack:
                // Keras' StackedRNNCells holds its cells in the list `cells`, a container whose members
                // saving_lib names by class, numbered per class: cells/lstm_cell, cells/lstm_cell_1, cells/gru_cell.
                var cells = new List<(string, Variable)>();
                var used = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var cell in stack.Cells)
                {
                    string name = SnakeCase(Model.SummaryClass(cell));
                    if (used.TryGetValue(name, out int n)) name = $"{name}_{used[name] = n + 1}";
                    else used[name] = 0;
                    if (Under($"cells/{name}", cell) is not { } own) return null;
                    cells.AddRange(own);
                }
                return cells.Count == stack.Variables.Count ? cells : null;
            case Layers.Bidirectional b when b.Variables.Count == b.ForwardLayer.Variables.Count + b.BackwardLayer.Variables.Count:
                return Under("forward_layer", b.ForwardLayer) is { } forward && Under("backward_layer", b.BackwardLayer) is { } backward ? [.. forward, .. backward] : null;
            case Layers.TimeDistributed t when t.Variables.Count == t.Layer.Variables.Count:
                return Under("layer", t.Layer);
            case Layers.ProjectedAttention a:
                // Keras' EinsumDense projections, each a kernel and (use_bias) a bias, by attribute name.
                var projections = new List<(string, Variable)>();
                foreach (var (attribute, kernel, bias) in new[]
                         {
                             ("_query_dense", a.QueryKernel, a.QueryBias), ("_key_dense", a.KeyKernel, a.KeyBias),
                             ("_gate_dense", (a as Layers.GroupedQueryAttention)?.GateKernel, (a as Layers.GroupedQueryAttention)?.GateBias),
                             ("_value_dense", a.ValueKernel, a.ValueBias), ("_output_dense", a.OutputKernel, a.OutputBias),
                         })
                {
                    if (kernel is not null) projections.Add(($"{attribute}/vars/0", kernel));
                    if (bias is not null) projections.Add(($"{attribute}/vars/1", bias));
                }
                return projections.Count == a.Variables.Count ? projections : null;
            case Model:
                return null;
            default:
                return layer.SubLayers.Any(s => s.Variables.Count > 0) ? null
                    : layer.Variables.Select((v, i) => ($"vars/{Index(i)}", v)).ToList();
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
