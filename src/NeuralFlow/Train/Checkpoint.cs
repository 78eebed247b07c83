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
/// where it was saved. Each checkpoint is one safetensors file,
/// <c>{path}.safetensors</c> (any safetensors reader opens it), with TensorFlow's <c>checkpoint</c> state
/// file beside it naming the latest save. Objects are matched by name, so a checkpoint restores part of
/// what was saved (the generator alone) or part of this checkpoint's objects (see <see cref="CheckpointLoadStatus"/>).
/// Unlike TensorFlow, restoring does not wait for variables that do not exist yet (it refuses, naming the unbuilt layer): call a model once (or
/// Build it) before restoring into it.
/// </summary>
public sealed class Checkpoint
{
    private const string FormatKey = "format", FormatValue = "neuralflow.checkpoint", ObjectsKey = "objects";
    private const string SaveCounterKey = "save_counter", Extension = ".safetensors";

    /// <summary>The name of TensorFlow's checkpoint state file, written beside the checkpoints by <see cref="Save"/>.</summary>
    public const string StateFileName = "checkpoint";

    private readonly KeyValuePair<string, object>[] _objects;

    /// <summary>Tracks <paramref name="objects"/> by name (the keyword arguments of <c>tf.train.Checkpoint</c>).</summary>
    /// <param name="objects">Models or layers, optimizers, variables and random generators by name; a name is non-empty, without '/', and not "save_counter".</param>
    /// <exception cref="ArgumentException">A name is empty, holds '/', is reserved, or a value is null or not a layer, optimizer, variable or random generator.</exception>
    public Checkpoint(IReadOnlyDictionary<string, object> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        foreach (var (name, value) in objects)
        {
            if (string.IsNullOrEmpty(name) || name.Contains('/') || name == SaveCounterKey)
                throw new ArgumentException($"Checkpoint: '{name}' cannot name an object: names are non-empty, without '/', and '{SaveCounterKey}' is the checkpoint's own.", nameof(objects));
            if (value is not (Layer or Optimizers.Optimizer or Variable or NF.Random.Generator))
                throw new ArgumentException(
                    $"Checkpoint: '{name}' is {(value is null ? "null" : "a " + value.GetType().Name)}; a checkpoint holds models or layers, optimizers, variables and random generators.", nameof(objects));
        }
        _objects = objects.ToArray();
    }

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
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var made = new List<Tensor>();
        try
        {
            Tensor Made(Tensor t) { made.Add(t); return t; }
            tensors.Add(SaveCounterKey, Made(NF.Constant(SaveCounter)));
            foreach (var (name, value) in _objects)
            {
                switch (value)
                {
                    case Variable variable:
                        tensors.Add($"{name}/value", variable);
                        break;
                    case NF.Random.Generator generator:
                        var (generatorKey, position) = generator.State;
                        tensors.Add($"{name}/state", Made(NF.Constant(new[] { unchecked((long)generatorKey), position })));
                        break;
                    case Layer layer:
                        var variables = layer.Variables;
                        for (int i = 0; i < variables.Count; i++) tensors.Add($"{name}/variables/{i}", variables[i]);
                        break;
                    case Optimizers.Optimizer optimizer:
                        foreach (var (key, tensor) in OptimizerEntries(optimizer))
                        {
                            tensors.Add($"{name}/{key}", tensor);
                            if (key is "iterations" or "learning_rate" or "loss_scale" or "loss_scale_step_counter") made.Add(tensor);
                        }
                        break;
                }
            }
            var kinds = _objects.ToDictionary(o => o.Key, o => Kind(o.Value));
            NF.Safetensors.Save(tensors, FileOf(path), new Dictionary<string, string>
            {
                [FormatKey] = FormatValue,
                [ObjectsKey] = JsonSerializer.Serialize(kinds),
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
    private IEnumerable<KeyValuePair<string, Tensor>> OptimizerEntries(Optimizers.Optimizer optimizer)
    {
        foreach (var entry in Model.OptimizerTensors(optimizer, []))
            yield return entry;
        foreach (var (owner, variables) in Owners())
            foreach (var (key, tensor) in Model.OptimizerTensors(optimizer, variables))
                if (key.StartsWith("slots/", StringComparison.Ordinal) || key.StartsWith("average/", StringComparison.Ordinal))
                    yield return new($"{owner}/{key}", tensor);
                else
                    DisposeUnlessVariable(tensor);
    }

    private static void DisposeUnlessVariable(Tensor t)
    {
        if (t is not Variable) t.Dispose();
    }

    private IEnumerable<(string Name, IReadOnlyList<Variable> Variables)> Owners()
    {
        foreach (var (name, value) in _objects)
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
        _ => "optimizer",
    };

    /// <summary>
    /// Restores the objects saved under the same names from the checkpoint at <paramref name="path"/>, and
    /// <see cref="SaveCounter"/> (<c>checkpoint.restore(save_path)</c>), typically
    /// <c>checkpoint.Restore(Checkpoint.LatestCheckpoint(dir))</c>. A null path (no checkpoint yet) restores
    /// nothing, as TensorFlow's. Every variable's value is checked against it before any is written.
    /// </summary>
    /// <returns>What was matched, to assert on (<see cref="CheckpointLoadStatus.AssertConsumed"/>).</returns>
    /// <exception cref="FileNotFoundException">No checkpoint is at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a NeuralFlow checkpoint, or an object's saved state does not fit it (another architecture).</exception>
    /// <exception cref="InvalidOperationException">A model or layer to restore is not built yet (TensorFlow would wait for its variables; call it once first).</exception>
    public CheckpointLoadStatus Restore(string? path) => Load(path, restoreCounter: true);

    /// <summary>
    /// Restores the objects as <see cref="Restore"/> does but leaves <see cref="SaveCounter"/> (<c>checkpoint.read</c>, the
    /// counterpart of <see cref="Write"/>).
    /// </summary>
    public CheckpointLoadStatus Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(path, restoreCounter: false);
    }

    private CheckpointLoadStatus Load(string? path, bool restoreCounter)
    {
        if (path is null) return new CheckpointLoadStatus(null, [], [.. _objects.Select(o => o.Key)]);
        string file = path.EndsWith(Extension, StringComparison.Ordinal) ? path : path + Extension;
        if (!File.Exists(file))
            throw new FileNotFoundException($"Checkpoint.Restore: no checkpoint at '{path}' (looked for '{file}'); Checkpoint.LatestCheckpoint(folder) names the latest one Save wrote.", file);
        var tensors = NF.Safetensors.Load(file, out var metadata);
        if (!metadata.TryGetValue(FormatKey, out var format) || format != FormatValue || !metadata.TryGetValue(ObjectsKey, out var objectsJson))
            throw new InvalidDataException($"Checkpoint.Restore: '{file}' is a safetensors file but not a checkpoint written by Checkpoint.Save or Write.");
        var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(objectsJson)
                    ?? throw new InvalidDataException($"Checkpoint.Restore: '{file}' has no list of objects.");
        var matched = _objects.Where(o => saved.ContainsKey(o.Key)).ToArray();
        foreach (var (name, value) in matched)
            if (saved[name] != Kind(value))
                throw new InvalidDataException($"Checkpoint.Restore: '{name}' is {WithArticle(Kind(value))} here but {WithArticle(saved[name])} in '{file}'.");

        // Every variable's value is checked before any is written.
        var assignments = new List<(Variable Target, Tensor Value)>();
        foreach (var (name, value) in matched)
        {
            if (value is Variable variable)
                assignments.Add((variable, Entry(tensors, $"{name}/value", file)));
            else if (value is Layer layer)
            {
                var variables = layer.Variables;
                int count = tensors.Keys.Count(k => k.StartsWith(name + "/variables/", StringComparison.Ordinal));
                if (count != variables.Count)
                    throw Unbuilt(layer) is { } unbuilt
                        ? new InvalidOperationException(
                            $"Checkpoint.Restore: '{name}' ({layer.Name}) is not built: {(ReferenceEquals(unbuilt, layer) ? "it has" : $"its layer {unbuilt.Name} has")} no weights yet, " +
                            $"so its {variables.Count} variables cannot take the {count} that '{file}' holds for it. Unlike TensorFlow, restoring does not wait for " +
                            "the variables to be created: call the model once on a batch (or Build it), then restore.")
                        : new InvalidDataException(
                            $"Checkpoint.Restore: '{name}' ({layer.Name}) has {variables.Count} variables but '{file}' holds {count} for it; is it the same architecture?");
                for (int i = 0; i < count; i++) assignments.Add((variables[i], Entry(tensors, $"{name}/variables/{i}", file)));
            }
        }
        var generators = new List<(NF.Random.Generator Target, long[] State)>();
        foreach (var (name, value) in matched)
            if (value is NF.Random.Generator generator)
                generators.Add((generator, GeneratorState(Entry(tensors, $"{name}/state", file), name, file)));
        foreach (var (target, value) in assignments) Layer.CheckFits("Checkpoint.Restore", target, value, $"the value in '{file}'");
        foreach (var (target, value) in assignments) Layer.AssignConverted(target, value);
        foreach (var (target, state) in generators) target.State = (unchecked((ulong)state[0]), state[1]);

        var owners = Owners().Where(o => saved.ContainsKey(o.Name)).ToArray();
        foreach (var (name, value) in matched)
            if (value is Optimizers.Optimizer optimizer)
                RestoreOptimizer(optimizer, name, owners, tensors, file);
        if (restoreCounter && tensors.TryGetValue(SaveCounterKey, out var counter)) SaveCounter = counter.Item<long>();
        foreach (var t in tensors.Values) t.Dispose();
        return new CheckpointLoadStatus(path, [.. saved.Keys.Where(k => !_objects.Any(o => o.Key == k))], [.. _objects.Where(o => !saved.ContainsKey(o.Key)).Select(o => o.Key)]);
    }

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
