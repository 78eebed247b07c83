using System.Text.Json;
using NeuralFlow.Keras;

namespace NeuralFlow.Train;

// Restoring: the file's objects by path into this checkpoint's graph, then, for objects added later
// (delayed restoration), into each one as it is set.
public sealed partial class Checkpoint
{
    /// <summary>
    /// Restores the objects saved under the same names from the checkpoint at <paramref name="path"/>, and
    /// <see cref="SaveCounter"/> (<c>checkpoint.restore(save_path)</c>), typically
    /// <c>checkpoint.Restore(Checkpoint.LatestCheckpoint(dir))</c>. A null path (no checkpoint yet) restores
    /// nothing, as TensorFlow's. Every variable's value is checked against it before any is written. Objects are
    /// matched by path through nested checkpoints, dictionaries and lists; a variable (or a layer) also takes the value of
    /// a saved model's variable at the path of the fields holding it (<c>net/l1/bias</c>). An object set afterwards
    /// (with the indexer, here or in a checkpoint under this one) is restored when it is set; a model or layer not built yet
    /// takes its values as it builds (<see cref="CheckpointLoadStatus.WaitingForVariables"/> names those still waiting).
    /// </summary>
    /// <returns>What was matched, to assert on (<see cref="CheckpointLoadStatus.AssertConsumed"/>).</returns>
    /// <exception cref="FileNotFoundException">No checkpoint is at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a NeuralFlow checkpoint, or an object's saved state does not fit it (another architecture).</exception>
    /// <exception cref="InvalidOperationException">A module's variable is not made yet (a field the module sets on its first call: a restore cannot wait for a field to be assigned; call it once first).</exception>
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
        var leaves = LeavesOf("", this);
        if (path is null) return new CheckpointLoadStatus(null, [], [.. leaves.Select(o => o.Key)]);
        var (file, tensors, saved, aliases) = Open(path);
        try
        {
            RefuseUnmade("", this, tensors, file);
            var (unused, unmatched, deferred) = LoadLeaves(file, tensors, saved, aliases, leaves);
            if (restoreCounter && tensors.TryGetValue(SaveCounterKey, out var counter)) SaveCounter = counter.Item<long>();
            // What no object took, or waits for its variables, stays with its values: the objects that appear later take them.
            _waiting?.Release();
            var waiting = _waiting = new Waiting(path, file, this, saved, aliases);
            // An unused object inside a list or dictionary of this graph may be added to it later; one directly under a
            // checkpoint is set with its indexer, which restores it from the file then.
            var collections = ContainersOf("", this).Where(c => c.Container is not Checkpoint).Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
            waiting.Add(unused.Where(n => n.LastIndexOf('/') is > 0 and var at && collections.Contains(n[..at])).Concat(deferred), tensors);
            foreach (var (at, container) in ContainersOf("", this))
                if (container is Checkpoint checkpoint) checkpoint._restoredFrom = (path, at, waiting);
            // A layer built in part takes the values of its built layers now (by their paths), the rest as they build.
            Sweep(waiting, new HashSet<object>(leaves.Select(l => l.Value), ReferenceEqualityComparer.Instance));
            if (waiting.Keys.Count > 0) Register(waiting);
            return new CheckpointLoadStatus(path, unused, unmatched, () => waiting.Taken, waiting.WaitingObjects);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    // An object set under `prefix` after a restore from `path`: whatever the file holds for it is restored now.
    private static void RestoreLate(string path, string prefix, object value, Waiting waiting)
    {
        string file = FileOf(path);
        if (!File.Exists(file))
            throw new InvalidOperationException(
                $"Checkpoint: '{prefix}' was set after a restore from '{path}', whose file is gone (deleted by a CheckpointManager?), so it cannot take its saved value; " +
                "restore again from a checkpoint that exists before setting it.");
        var (_, tensors, saved, aliases) = Open(path);
        try
        {
            RefuseUnmade(prefix, value, tensors, file);
            var leaves = LeavesOf(prefix, value);
            var (_, _, deferred) = LoadLeaves(file, tensors, saved, aliases, leaves);
            // The optimizers of the whole checkpoint take the slots saved for the variables set now (a late optimizer took its
            // own, for the objects already there, in LoadLeaves).
            lock (waiting)
            {
                waiting.TakeUnder(prefix);   // restored from the file just now, whatever waited for it
                foreach (var (name, _) in leaves)
                    if (saved.ContainsKey(name) && !deferred.Contains(name)) waiting.Taken.Add(name);
                var all = LeavesOf("", waiting.Root);
                bool IsNew(string name) => name == prefix || name.StartsWith(prefix + "/", StringComparison.Ordinal);
                var ownersNew = RestoredOwners(leaves, saved, deferred, waiting);
                var ownersAll = RestoredOwners(all, saved, deferred, waiting);
                foreach (var optimizer in OptimizersOf(all, saved))
                    RestoreSlots(tensors, [optimizer], IsNew(optimizer.Name) ? ownersAll : ownersNew, file);
                waiting.Add(deferred, tensors);
                if (deferred.Count > 0) Register(waiting);
            }
            foreach (var (at, container) in ContainersOf(prefix, value))
                if (container is Checkpoint checkpoint) checkpoint._restoredFrom = (path, at, waiting);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    // A module's variable made on its first call (the Core guides' `if not self.built`) does not exist before that call;
    // restoring would skip it and the call would then make it with its initial value: a silently untrained model.
    // TensorFlow waits for it (delayed restoration); a layer's values wait for its build, but C# says nothing when a
    // plain field is assigned, so for a module's field NeuralFlow refuses, naming it.
    private static void RefuseUnmade(string prefix, object value, Dictionary<string, Tensor> tensors, string file)
    {
        foreach (var (at, module) in ContainersOf<Module>(prefix, value))
            foreach (var field in module.UnmadeFields())
            {
                string path = Join(at, field);
                if (tensors.Keys.Any(k => k.StartsWith(path + "/", StringComparison.Ordinal)))
                    throw new InvalidOperationException(
                        $"Checkpoint.Restore: '{path}' of the module '{at}' ({module.Name}) is null, so it cannot take what '{file}' holds for it. " +
                        "A restore cannot wait for a field to be assigned (as it waits for a layer's build): call the module once (it makes its variables), then restore.");
            }
    }

    private static (string File, Dictionary<string, Tensor> Tensors, Dictionary<string, string> Kinds, Dictionary<string, string> Aliases) Open(string path)
    {
        string file = path.EndsWith(Extension, StringComparison.Ordinal) ? path : path + Extension;
        if (!File.Exists(file))
            throw new FileNotFoundException($"Checkpoint.Restore: no checkpoint at '{path}' (looked for '{file}'); Checkpoint.LatestCheckpoint(folder) names the latest one Save wrote.", file);
        var tensors = NF.Safetensors.Load(file, out var metadata);
        try
        {
            if (!metadata.TryGetValue(FormatKey, out var format) || format != FormatValue || !metadata.TryGetValue(ObjectsKey, out var objectsJson))
                throw new InvalidDataException($"Checkpoint.Restore: '{file}' is a safetensors file but not a checkpoint written by Checkpoint.Save or Write.");
            var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(objectsJson)
                        ?? throw new InvalidDataException($"Checkpoint.Restore: '{file}' has no list of objects.");
            // Files of earlier versions have no aliases: their objects restore by name only.
            var aliases = metadata.TryGetValue(AliasesKey, out var aliasesJson)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(aliasesJson) ?? []
                : [];
            return (file, tensors, saved, aliases);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    // Restores `leaves` (by their paths in the file) from the file's tensors; returns the file's objects no leaf took
    // and the leaves the file held nothing for.
    private static (List<string> Unused, List<string> Unmatched, List<string> Deferred) LoadLeaves(
        string file, Dictionary<string, Tensor> tensors, Dictionary<string, string> saved, Dictionary<string, string> aliases,
        List<KeyValuePair<string, object>> leaves)
    {
        var matched = new List<KeyValuePair<string, object>>();
        var unmatched = new List<string>();
        var deferred = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        // Every variable's value is checked before any is written.
        var assignments = new List<(Variable Target, Tensor Value)>();
        foreach (var leaf in leaves)
        {
            var (name, value) = leaf;
            if (saved.TryGetValue(name, out var kind))
            {
                if (kind != Kind(value))
                    throw new InvalidDataException($"Checkpoint.Restore: '{name}' is {WithArticle(Kind(value))} here but {WithArticle(kind)} in '{file}'.");
                matched.Add(leaf);
                used.Add(name);
            }
            else if (value is Variable variable && aliases.TryGetValue(name, out var key))
            {
                assignments.Add((variable, Entry(tensors, key, file)));
                used.Add(OwnerOf(key));
            }
            else if (value is Layer layer && NamedVariables(layer) is { Count: > 0 } named && named.All(n => aliases.ContainsKey(Join(name, n.Path))))
            {
                foreach (var (at, v) in named)
                {
                    string saveKey = aliases[Join(name, at)];
                    assignments.Add((v, Entry(tensors, saveKey, file)));
                    used.Add(OwnerOf(saveKey));
                }
            }
            else unmatched.Add(name);
        }

        foreach (var (name, value) in matched)
        {
            if (value is Variable variable)
                assignments.Add((variable, Entry(tensors, $"{name}/value", file)));
            else if (value is Layer layer)
            {
                var variables = layer.Variables;
                int count = tensors.Keys.Count(k => k.StartsWith(name + "/variables/", StringComparison.Ordinal));
                if (count != variables.Count)
                {
                    // Not built yet (TensorFlow's delayed restoration): its values wait for its variables, taken as it builds.
                    if (Unbuilt(layer) is not null)
                    {
                        deferred.Add(name);
                        continue;
                    }
                    throw new InvalidDataException(
                        $"Checkpoint.Restore: '{name}' ({layer.Name}) has {variables.Count} variables but '{file}' holds {count} for it; is it the same architecture?");
                }
                for (int i = 0; i < count; i++) assignments.Add((variables[i], Entry(tensors, $"{name}/variables/{i}", file)));
            }
        }
        var generators = new List<(NF.Random.Generator Target, long[] State)>();
        foreach (var (name, value) in matched)
            if (value is NF.Random.Generator generator)
                generators.Add((generator, GeneratorState(Entry(tensors, $"{name}/state", file), name, file)));
        foreach (var (target, value) in assignments) Layer.CheckFits("Checkpoint.Restore", target, value, $"the value in '{file}'");
        foreach (var (target, value) in assignments) Layer.AssignConverted(target, value);
        var iterators = new List<(Data.ICheckpointedIterator Target, long Position)>();
        foreach (var (name, value) in matched)
            if (value is Data.ICheckpointedIterator iterator)
                iterators.Add((iterator, Entry(tensors, $"{name}/position", file) is { DType: DType.Int64, Rank: 0 } savedPosition ? savedPosition.Item<long>()
                    : throw new InvalidDataException($"Checkpoint.Restore: '{name}/position' in '{file}' is not an iterator's position (an int64 scalar).")));
        foreach (var (target, state) in generators) target.State = (unchecked((ulong)state[0]), state[1]);
        foreach (var (target, position) in iterators) target.Seek(position, "Checkpoint.Restore");

        var owners = Owners(leaves).Where(o => saved.ContainsKey(o.Name) && !deferred.Contains(o.Name)).ToArray();
        foreach (var (name, value) in matched)
            if (value is Optimizers.Optimizer optimizer)
                RestoreOptimizer(optimizer, name, owners, tensors, file);
        return ([.. saved.Keys.Where(k => !used.Contains(k))], unmatched, deferred);
    }

    // The variables of `leaves` that hold their values from the file, with their keys in it (for their optimizer slots):
    // variables and built layers, not a layer still waiting for its variables.
    private static List<(Variable Target, string Key)> RestoredOwners(List<KeyValuePair<string, object>> leaves, Dictionary<string, string> saved,
                                                                      List<string> deferred, Waiting waiting)
    {
        var owners = new List<(Variable, string)>();
        foreach (var (name, held) in leaves)
            if (held is Variable variable && saved.GetValueOrDefault(name) == "variable" && !waiting.Keys.Contains(name + "/value"))
                owners.Add((variable, name + "/value"));
            else if (held is Layer layer && saved.GetValueOrDefault(name) == "layer" && !deferred.Contains(name) && !waiting.LayerCounts.ContainsKey(name))
                owners.AddRange(layer.Variables.Select((v, i) => (v, $"{name}/variables/{i}")));
        return owners;
    }

    // The saved object a tensor key belongs to: "net/variables/3" is net's.
    private static string OwnerOf(string key) =>
        key.LastIndexOf("/variables/", StringComparison.Ordinal) is >= 0 and var at ? key[..at] : key;

    /// <summary>A checkpoint's path, tensors and aliases, for <see cref="CheckpointReader"/>.</summary>
    internal static (string Path, Dictionary<string, Tensor> Tensors, Dictionary<string, string> Aliases) OpenForReading(string path)
    {
        var (_, tensors, _, aliases) = Open(path);
        return (path, tensors, aliases);
    }
}
