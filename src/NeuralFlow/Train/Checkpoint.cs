using System.Globalization;
using System.Text.Json;
using NeuralFlow.Keras;

namespace NeuralFlow.Train;

/// <summary>
/// Groups models, layers, optimizers and variables under names and saves or restores them together
/// (<c>tf.train.Checkpoint</c>), the checkpoint of a custom training loop such as the DCGAN tutorial's
/// <c>tf.train.Checkpoint(generator_optimizer=..., discriminator_optimizer=..., generator=..., discriminator=...)</c>:
/// <code>
/// var checkpoint = new Train.Checkpoint(new Dictionary&lt;string, object&gt;
///     { ["generator_optimizer"] = generatorOptimizer, ["generator"] = generator, ["discriminator"] = discriminator });
/// checkpoint.Save(Path.Combine(dir, "ckpt"));             // dir/ckpt-1, dir/ckpt-2, ...
/// checkpoint.Restore(Train.Checkpoint.LatestCheckpoint(dir));
/// </code>
/// A model or layer saves every variable (<see cref="Layer.Variables"/>, BatchNormalization's moving
/// statistics included), matched by position on restore, so another instance of the same architecture
/// (other layer names) restores; an optimizer saves its step count, a constant learning rate and its
/// slots (Adam's moments) for the variables of the objects in the same checkpoint, matched to them by
/// the object's name; a <see cref="Variable"/> saves its value; an <see cref="NF.Random.Generator"/> saves its
/// state (its key and position, as <c>tf.train.Checkpoint(generator=g)</c>), so a restored generator draws on from
/// where it was saved; a <see cref="Module"/> (<c>tf.Module</c>) saves what its fields hold under the fields' names
/// (<c>model/w/value</c>). Each checkpoint is one safetensors file,
/// <c>{path}.safetensors</c> (any safetensors reader opens it), with TensorFlow's <c>checkpoint</c> state
/// file beside it naming the latest save. Objects are matched by name, so a checkpoint restores part of
/// what was saved (the generator alone) or part of this checkpoint's objects (see <see cref="CheckpointLoadStatus"/>).
/// As TensorFlow's, restoring waits for variables that do not exist yet (delayed restoration): a model or layer not built at
/// the restore takes its saved values as it builds, before its first output, and the checkpoint's optimizers take the slots
/// saved for those variables then; an element added to a restored list takes its values when it is added (an
/// <see cref="System.Collections.ObjectModel.ObservableCollection{T}"/>) or at the next layer build or save (a plain
/// <see cref="List{T}"/>, which cannot say when it grows).
/// </summary>
public sealed partial class Checkpoint
{
    private const string FormatKey = "format", FormatValue = "neuralflow.checkpoint", ObjectsKey = "objects";
    private const string SaveCounterKey = "save_counter", Extension = ".safetensors", AliasesKey = "aliases";

    /// <summary>The name of TensorFlow's checkpoint state file, written beside the checkpoints by <see cref="Save"/>.</summary>
    public const string StateFileName = "checkpoint";

    private readonly List<KeyValuePair<string, object>> _objects;

    // The checkpoint this one (or the root it is under) was last restored from, and this one's path in it: an object
    // added later under a name the file holds takes its value then (TensorFlow's delayed restoration).
    private (string Path, string Prefix, Waiting Waiting)? _restoredFrom;

    // The values of this checkpoint's last restore that still wait for their objects (Checkpoint.Delayed.cs).
    private Waiting? _waiting;

    /// <summary>Tracks <paramref name="objects"/> by name (the keyword arguments of <c>tf.train.Checkpoint</c>).</summary>
    /// <param name="objects">Models or layers, modules, optimizers, variables, random generators, other checkpoints, and dictionaries
    /// (string keys) or lists of these, by name; a name is non-empty, without '/', and not "save_counter".</param>
    /// <exception cref="ArgumentException">A name is empty, holds '/', is reserved, or a value is null or none of those.</exception>
    public Checkpoint(IReadOnlyDictionary<string, object> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        foreach (var (name, value) in objects) Validate(name, value, "");
        _objects = [.. objects];
    }

    /// <summary>An empty checkpoint (<c>tf.train.Checkpoint()</c>), whose objects are added by name with the indexer.</summary>
    public Checkpoint() => _objects = [];

    /// <summary>
    /// The object under <paramref name="name"/> (an attribute of <c>tf.train.Checkpoint</c>); setting adds or replaces it
    /// (<c>checkpoint.kernel = variable</c>). When this checkpoint, or one it is under, has been restored, an object set
    /// afterwards takes the value that checkpoint file holds for it at once (TensorFlow's delayed restoration: restore
    /// first, create the variables later).
    /// </summary>
    /// <exception cref="KeyNotFoundException">Getting a name this checkpoint does not hold.</exception>
    /// <exception cref="ArgumentException">Setting a reserved or malformed name, or a value a checkpoint cannot hold.</exception>
    /// <exception cref="InvalidDataException">The restored file's value for it does not fit it.</exception>
    public object this[string name]
    {
        get => _objects.FirstOrDefault(o => o.Key == name) is { Key: not null } found
            ? found.Value
            : throw new KeyNotFoundException($"Checkpoint: no object is named '{name}'; it holds {(_objects.Count == 0 ? "none" : string.Join(", ", _objects.Select(o => o.Key)))}.");
        set
        {
            Validate(name, value, "");
            int at = _objects.FindIndex(o => o.Key == name);
            if (at >= 0) _objects[at] = new(name, value);
            else _objects.Add(new(name, value));
            if (_restoredFrom is { } from) RestoreLate(from.Path, Join(from.Prefix, name), value, from.Waiting);
        }
    }

    /// <summary>The names of this checkpoint's objects, in the order they were given.</summary>
    public IReadOnlyList<string> Names => [.. _objects.Select(o => o.Key)];

    /// <summary>How many times <see cref="Save"/> has run (restored by <see cref="Restore"/>): the number of the next save's file, less one (TensorFlow's <c>save_counter</c>).</summary>
    public long SaveCounter { get; private set; }

    /// <summary>
    /// Writes a checkpoint numbered by <see cref="SaveCounter"/> (<c>checkpoint.save(file_prefix)</c>): the counter
    /// goes up by one, the objects go to <c>{filePrefix}-{counter}.safetensors</c>, and the state file in that folder
    /// names it as the latest, for <see cref="LatestCheckpoint"/>.
    /// </summary>
    /// <param name="filePrefix">A folder and a name, e.g. <c>training_checkpoints/ckpt</c>; the folder is created.</param>
    /// <returns>The checkpoint's path to restore, <c>{filePrefix}-{counter}</c>.</returns>
    public string Save(string filePrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePrefix);
        string path = Write($"{filePrefix}-{NextSaveNumber().ToString(CultureInfo.InvariantCulture)}");
        WriteState(Path.GetDirectoryName(Path.GetFullPath(path))!, [path]);
        return path;
    }

    /// <summary>Counts a save (<see cref="SaveCounter"/> up by one) and returns its number.</summary>
    internal long NextSaveNumber() => ++SaveCounter;

    /// <summary>The file a checkpoint path names (what Write wrote, what a CheckpointManager deletes).</summary>
    internal static string FileOf(string path) => path + Extension;

    /// <summary>
    /// Writes the objects to <c>{path}.safetensors</c> without numbering or touching the state file
    /// (<c>checkpoint.write(file_prefix)</c>).
    /// </summary>
    /// <returns><paramref name="path"/>, to restore.</returns>
    public string Write(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // An element added to a plain list since a restore takes its waiting value before it is saved (Checkpoint.Delayed.cs).
        if (_restoredFrom is { Waiting: { Keys.Count: > 0 } waiting }) Sweep(waiting, forced: null);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var made = new List<Tensor>();
        try
        {
            Tensor Made(Tensor t) { made.Add(t); return t; }
            tensors.Add(SaveCounterKey, Made(NF.Constant(SaveCounter)));
            var leaves = LeavesOf("", this);
            var aliases = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in leaves)
            {
                switch (value)
                {
                    case Variable variable:
                        tensors.Add($"{name}/value", variable);
                        break;
                    case Data.ICheckpointedIterator iterator:
                        tensors.Add($"{name}/position", Made(NF.Constant(iterator.Position)));
                        break;
                    case NF.Random.Generator generator:
                        var (generatorKey, position) = generator.State;
                        tensors.Add($"{name}/state", Made(NF.Constant(new[] { unchecked((long)generatorKey), position })));
                        break;
                    case Layer layer:
                        var variables = layer.Variables;
                        for (int i = 0; i < variables.Count; i++) tensors.Add($"{name}/variables/{i}", variables[i]);
                        foreach (var (named, variable) in NamedVariables(layer))
                            if (IndexOf(variables, variable) is >= 0 and var index) aliases.TryAdd(Join(name, named), $"{name}/variables/{index}");
                        break;
                    case Optimizers.Optimizer optimizer:
                        foreach (var (key, tensor) in OptimizerEntries(optimizer, leaves))
                        {
                            tensors.Add($"{name}/{key}", tensor);
                            if (key is "iterations" or "learning_rate" or "loss_scale" or "loss_scale_step_counter") made.Add(tensor);
                        }
                        break;
                }
            }
            CarryWaiting(leaves, tensors, aliases);
            var kinds = leaves.ToDictionary(o => o.Key, o => Kind(o.Value));
            NF.Safetensors.Save(tensors, FileOf(path), new Dictionary<string, string>
            {
                [FormatKey] = FormatValue,
                [ObjectsKey] = JsonSerializer.Serialize(kinds),
                [AliasesKey] = JsonSerializer.Serialize(aliases),
            });
        }
        finally
        {
            foreach (var t in made) t.Dispose();
        }
        return path;
    }

    // The optimizer's state for the variables of each variable-holding object of this checkpoint,
    // under that object's name (its step count once), so that a checkpoint restoring only some of
    // those objects still pairs each slot with its variable.
    private static IEnumerable<KeyValuePair<string, Tensor>> OptimizerEntries(Optimizers.Optimizer optimizer, List<KeyValuePair<string, object>> leaves)
    {
        foreach (var entry in Model.OptimizerTensors(optimizer, []))
            yield return entry;
        foreach (var (owner, variables) in Owners(leaves))
            foreach (var (key, tensor) in Model.OptimizerTensors(optimizer, variables))
                if (key.StartsWith("slots/", StringComparison.Ordinal) || key.StartsWith("average/", StringComparison.Ordinal)
                    || key.StartsWith(Model.AccumulatorKey + "/", StringComparison.Ordinal))
                    yield return new($"{owner}/{key}", tensor);
                else
                    DisposeUnlessVariable(tensor);
    }

    private static void DisposeUnlessVariable(Tensor t)
    {
        if (t is not Variable) t.Dispose();
    }

    private static int IndexOf(IReadOnlyList<Variable> variables, Variable variable)
    {
        for (int i = 0; i < variables.Count; i++)
            if (ReferenceEquals(variables[i], variable)) return i;
        return -1;
    }

    private static IEnumerable<(string Name, IReadOnlyList<Variable> Variables)> Owners(IEnumerable<KeyValuePair<string, object>> leaves)
    {
        foreach (var (name, value) in leaves)
        {
            if (value is Layer layer) yield return (name, layer.Variables);
            else if (value is Variable variable) yield return (name, [variable]);
        }
    }

    private static string WithArticle(string kind) => (kind.Length > 0 && "aeiou".Contains(kind[0]) ? "an " : "a ") + kind;

    private static string Kind(object value) => value switch
    {
        Variable => "variable",
        Layer => "layer",
        NF.Random.Generator => "generator",
        Data.ICheckpointedIterator => "iterator",
        _ => "optimizer",
    };

    // The optimizer's step count and rate, then for each object restored with it the slots saved for that object's variables.
    private static void RestoreOptimizer(Optimizers.Optimizer optimizer, string name, (string Name, IReadOnlyList<Variable> Variables)[] owners,
                                         Dictionary<string, Tensor> tensors, string file)
    {
        var own = tensors.Where(kv => kv.Key.StartsWith(name + "/", StringComparison.Ordinal) && !kv.Key[(name.Length + 1)..].Contains('/'))
                         .ToDictionary(kv => kv.Key[(name.Length + 1)..], kv => kv.Value, StringComparer.Ordinal);
        Model.RestoreOptimizer(optimizer, [], new Dictionary<string, Tensor>(own, StringComparer.Ordinal), file, $"'{name}'");
        foreach (var (owner, variables) in owners)
        {
            string prefix = $"{name}/{owner}/";
            var state = tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                               .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
            if (state.Count == 0) continue;
            state["iterations"] = own["iterations"];
            if (own.TryGetValue("learning_rate", out var rate)) state["learning_rate"] = rate;
            Model.RestoreOptimizer(optimizer, variables, state, file, $"'{name}' for '{owner}'");
        }
    }

    // The first layer of the tree under `layer` (itself included) that has not made its weights yet, or null.
    private static Layer? Unbuilt(Layer layer) => layer.LayerTree().FirstOrDefault(l => !l.Built && l.Variables.Count == 0);

    // A generator's saved (key, position): two int64s, the position not negative.
    private static long[] GeneratorState(Tensor saved, string name, string file) =>
        saved.DType == DType.Int64 && saved.Shape == new Shape(2) && saved.ToArray<long>() is [_, >= 0] state
            ? state
            : throw new InvalidDataException($"Checkpoint.Restore: '{name}/state' in '{file}' is not a generator's state (two int64s, key and position), but {saved.DType.Name()} {saved.Shape}.");

    private static Tensor Entry(Dictionary<string, Tensor> tensors, string key, string file) =>
        tensors.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"Checkpoint.Restore: '{file}' lacks '{key}'.");

    /// <summary>
    /// The latest checkpoint <see cref="Save"/> wrote in <paramref name="checkpointDir"/> (<c>tf.train.latest_checkpoint</c>),
    /// from its state file: the path to pass to <see cref="Restore"/>, or null when there is none (no state file, or its
    /// checkpoint was deleted).
    /// </summary>
    public static string? LatestCheckpoint(string checkpointDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDir);
        var latest = ReadState(checkpointDir)?.Latest;
        return latest is not null && File.Exists(FileOf(latest)) ? latest : null;
    }

    /// <summary>The paths named by the state file in <paramref name="checkpointDir"/>: the latest, and all kept (oldest first); null without one.</summary>
    internal static (string Latest, List<string> All)? ReadState(string checkpointDir)
    {
        string stateFile = Path.Combine(checkpointDir, StateFileName);
        if (!File.Exists(stateFile)) return null;
        string? latest = null;
        var all = new List<string>();
        foreach (var line in File.ReadLines(stateFile))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"') continue;
            // TensorFlow's text format escapes quotes and backslashes; relative paths are in the folder.
            string path = value[1..^1].Replace("\\\"", "\"").Replace("\\\\", "\\");
            if (!Path.IsPathRooted(path)) path = Path.Combine(checkpointDir, path);
            if (key == "model_checkpoint_path") latest = path;
            else if (key == "all_model_checkpoint_paths") all.Add(path);
        }
        return latest is null ? null : (latest, all);
    }

    /// <summary>Writes TensorFlow's state file in <paramref name="folder"/>: <paramref name="paths"/> kept, oldest first, the last the latest; relative names for the ones in the folder.</summary>
    internal static void WriteState(string folder, IReadOnlyList<string> paths)
    {
        string Relative(string p) =>
            string.Equals(Path.GetDirectoryName(Path.GetFullPath(p)), Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal) ? Path.GetFileName(p) : Path.GetFullPath(p);
        string Quoted(string p) => "\"" + Relative(p).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var lines = new List<string> { "model_checkpoint_path: " + Quoted(paths[^1]) };
        lines.AddRange(paths.Select(p => "all_model_checkpoint_paths: " + Quoted(p)));
        IO.AtomicFile.Write(Path.Combine(folder, StateFileName), s =>
        {
            using var writer = new StreamWriter(s, leaveOpen: true);
            foreach (var line in lines) writer.Write(line + "\n");
        });
    }
}
