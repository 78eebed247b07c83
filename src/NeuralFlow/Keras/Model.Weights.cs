using System.Text.Json;

namespace NeuralFlow.Keras;

public partial class Model
{
    private const string FormatKey = "format", FormatValue = "neuralflow.weights", OrderKey = "neuralflow.order";

    /// <summary>
    /// Writes every weight, and the kept states of stateful recurrent layers, to <paramref name="path"/> as safetensors (Keras' <c>save_weights</c>),
    /// atomically, each under its variable's name (<c>dense_1/kernel</c>), with their order
    /// recorded so that <see cref="LoadWeights"/> can also match an identical model whose layers
    /// were named differently (another process, another model built first). Any safetensors
    /// reader opens the file.
    /// A name ending in <c>.weights.h5</c> writes Keras 3's HDF5 layout instead
    /// (<c>layers/dense/vars/0</c>, what Keras 3's <c>save_weights</c> writes and <c>load_weights</c> reads),
    /// and <c>.h5</c> / <c>.hdf5</c> the legacy Keras 2 layout (<c>layer_names</c>, <c>weight_names</c>),
    /// so that Python's Keras and h5py open the file; both are matched layer by layer as Keras does.
    /// A name ending in <c>.keras</c> (Keras 3's whole-model archive) is refused, as Keras refuses it: use <see cref="Save"/>.
    /// </summary>
    public void SaveWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckFileKind(path, weightsOnly: true, nameof(SaveWeights), "save the whole model with Save");
        var kind = KerasFileOf(path);
        if (kind is KerasFile.Keras3Weights or KerasFile.LegacyH5)
        {
            SaveKerasWeights(path, kind);
            return;
        }
        var variables = Variables;
        var keys = Keys(variables);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < variables.Count; i++) tensors.Add(keys[i], variables[i]);
        var metadata = new Dictionary<string, string>
        {
            [FormatKey] = FormatValue,
            [OrderKey] = JsonSerializer.Serialize(keys),
        };
        AddStates(tensors, metadata);
        NF.Safetensors.Save(tensors, path, metadata);
    }

    /// <summary>
    /// Sets every weight from a file written by <see cref="SaveWeights"/> (or any safetensors
    /// file naming the weights as this model does) — Keras' <c>load_weights</c>. Weights are
    /// matched by name when the file has every name, else in order (a model of the same
    /// architecture whose layers got other names). Shapes must match; float precision is
    /// converted. Nothing is written unless every weight fits; errors name the weight.
    /// An HDF5 file (found by its signature, whatever its name) is read as Keras wrote it:
    /// Keras 3's <c>model.save_weights("x.weights.h5")</c>, matched layer by layer in Keras'
    /// traversal order (groups <c>layers/dense_1/vars/0</c>, ...), or the legacy Keras 2 /
    /// tf.keras <c>.h5</c> of <c>save_weights</c> or a whole-model <c>save</c> (its
    /// <c>layer_names</c> matched in order to this model's layers that have weights). Build the
    /// same architecture in C# first; a layer count or shape that differs fails naming the layer
    /// and both shapes, and a corrupt file fails with an <see cref="InvalidDataException"/>.
    /// A whole-model archive gives its weights too, as in Keras: a Keras 3 <c>.keras</c> file (its
    /// model.weights.h5) or one of <see cref="Save"/>.
    /// </summary>
    public void LoadWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var variables = Variables;
        if (variables.Count == 0)
            throw new InvalidOperationException(
                $"LoadWeights: {Name} has no weights yet (layers make them on the first call); call Build(inputShape) or the model once on a batch, then load.");
        if (File.Exists(path) && !IsZip(path) && IO.Hdf5.Hdf5Source.IsHdf5(path))   // a zip first, as Load does
        {
            Saving.KerasH5Weights.Load(this, path);
            return;
        }
        if (IsZip(path))
        {
            Damaged(path, () =>
            {
                using var zip = OpenArchive(path, out bool keras3);
                // An archive NeuralFlow wrote gives its weights in the order it recorded (Keras' matching by class cannot pair every layer).
                if (keras3 && zip.GetEntry(OwnConfigEntry) is not null) RestoreOwnKerasWeights(zip, path, ReadJson(zip, OwnConfigEntry, path), "LoadWeights");
                else if (keras3) LoadKeras3Weights(this, zip, path);
                else RestoreWeightsAndState(zip, path, optimizer: null);
                return true;
            });
            return;
        }
        var file = NF.Safetensors.Load(path, out var metadata);
        try
        {
            AssignFromFile("LoadWeights", variables, WithoutStates(file, metadata), metadata, path);
            RestoreStates("LoadWeights", file, metadata, path);
        }
        finally
        {
            foreach (var t in file.Values) t.Dispose();
        }
    }

    // Sets each variable from the file's tensor MatchOrder pairs it with, after checking that all fit (nothing is
    // written otherwise); returns the variables the file holds, in order: what its optimizer state is numbered by.
    private IReadOnlyList<Variable> AssignFromFile(string method, IReadOnlyList<Variable> variables, Dictionary<string, Tensor> file,
                                                   IReadOnlyDictionary<string, string> metadata, string path)
    {
        var order = MatchOrder(variables, file, metadata, path);
        for (int i = 0; i < variables.Count; i++)
            if (order[i] is { } key) Layer.CheckFits(method, variables[i], file[key], $"'{key}' in {path}");
        for (int i = 0; i < variables.Count; i++)
            if (order[i] is { } key) Layer.AssignConverted(variables[i], file[key]);
        return variables.Where((_, i) => order[i] is not null).ToList();
    }

    /// <summary>
    /// The variables a file written with <paramref name="saved"/> weights holds: all of them, or, from
    /// a file written before some layer gained a weight (<see cref="Variable.AbsentFromOlderFiles"/>), the others.
    /// Null when neither count matches.
    /// </summary>
    internal static IReadOnlyList<Variable>? VariablesInFile(IReadOnlyList<Variable> variables, int saved) =>
        saved == variables.Count ? variables
        : variables.Where(v => !v.AbsentFromOlderFiles).ToList() is { } older && older.Count == saved && saved < variables.Count ? older
        : null;

    // The file's key for each variable: by name when the file has them all, else by the order
    // SaveWeights recorded. A weight its layer gained after the file was written (AbsentFromOlderFiles)
    // may be missing: its key is null and it keeps its value.
    private string?[] MatchOrder(IReadOnlyList<Variable> variables, Dictionary<string, Tensor> file, IReadOnlyDictionary<string, string> metadata, string path)
    {
        var keys = Keys(variables);
        var absent = Enumerable.Range(0, keys.Length).Where(i => variables[i].AbsentFromOlderFiles && !file.ContainsKey(keys[i])).ToHashSet();
        if (keys.Where((_, i) => !absent.Contains(i)).All(file.ContainsKey))
        {
            if (file.Count != keys.Length - absent.Count)
                throw new InvalidDataException(
                    $"LoadWeights: '{path}' holds {file.Count} weights, {Name} has {keys.Length}; extra in the file: {string.Join(", ", file.Keys.Except(keys))}.");
            return keys.Select((k, i) => absent.Contains(i) ? null : k).ToArray();
        }
        string[]? order = null;
        if (metadata.TryGetValue(OrderKey, out var json))
        {
            try { order = JsonSerializer.Deserialize<string[]>(json); }
            catch (JsonException) { order = null; }
        }
        if (order is null || !order.All(file.ContainsKey) || order.Length != file.Count)
        {
            var missing = keys.Where(k => !file.ContainsKey(k)).Take(5);
            throw new InvalidDataException(
                $"LoadWeights: '{path}' has no weight named {string.Join(", ", missing)} (it holds {string.Join(", ", file.Keys.Take(8))}{(file.Count > 8 ? ", ..." : "")}), and records no order to match them by.");
        }
        if (order.Length == keys.Length) return order;
        if (VariablesInFile(variables, order.Length) is { } inFile)
        {
            // Written before some weights existed: the recorded order pairs with the others.
            var paired = new string?[keys.Length];
            int next = 0;
            var held = inFile.ToHashSet(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < keys.Length; i++)
                if (held.Contains(variables[i])) paired[i] = order[next++];
            return paired;
        }
        throw new InvalidDataException(
            $"LoadWeights: '{path}' holds {order.Length} weights, {Name} has {keys.Length}: it was saved from another architecture.");
    }

    // Each variable's name, unique within the model ("weight_3" for an unnamed one).
    private static string[] Keys(IReadOnlyList<Variable> variables)
    {
        var keys = new string[variables.Count];
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < keys.Length; i++)
        {
            string key = variables[i].Name ?? $"weight_{i}";
            if (!used.Add(key)) used.Add(key = $"{key}_{i}");
            keys[i] = key;
        }
        return keys;
    }

    // A zip archive (a .keras or .nfmodel file) starts with a local file header, "PK\x03\x04".
    private static bool IsZip(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> head = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.Read(head) == 4 && head.SequenceEqual("PK\x03\x04"u8);
    }
}
