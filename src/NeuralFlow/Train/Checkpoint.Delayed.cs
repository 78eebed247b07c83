using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using NeuralFlow.Keras;

namespace NeuralFlow.Train;

// Delayed restoration, as TensorFlow's: what a restore found no variables for waits, with its values, until they exist.
// A layer not built at the restore takes its values as it builds (before its first output), and the optimizers of the
// checkpoint take the slots saved for those variables at the same moment; an element added to a list afterwards takes
// its values at once when the list says so (ObservableCollection<T>, TensorFlow's ListWrapper), and for a plain List<T>,
// which says nothing, at the next build of a layer of the checkpoint or Save/Write (a variable only while nothing has been
// assigned to it; a generator or iterator not at all, as its use leaves no mark).
public sealed partial class Checkpoint
{
    /// <summary>The values of one restore that still wait for their objects (owned here until taken).</summary>
    private sealed class Waiting
    {
        internal Waiting(string path, string file, Checkpoint root, Dictionary<string, string> kinds, Dictionary<string, string> aliases)
        {
            Path = path;
            File = file;
            Root = root;
            Kinds = kinds;
            Aliases = aliases;
        }

        internal string Path { get; }
        internal string File { get; }
        internal Checkpoint Root { get; }
        internal Dictionary<string, string> Kinds { get; }
        internal Dictionary<string, string> Aliases { get; }

        /// <summary>The file's values of the waiting objects and their optimizer slots, by key.</summary>
        internal Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

        /// <summary>Value keys ("net/variables/3", "v/value") no object has taken yet.</summary>
        internal HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        /// <summary>How many variables the file holds for each waiting layer (its built variables must number as many).</summary>
        internal Dictionary<string, int> LayerCounts { get; } = new(StringComparer.Ordinal);

        /// <summary>Objects whose values all were taken after the restore (no longer unused in its status).</summary>
        internal HashSet<string> Taken { get; } = new(StringComparer.Ordinal);

        internal HashSet<INotifyCollectionChanged> Watched { get; } = new(ReferenceEqualityComparer.Instance);

        internal NotifyCollectionChangedEventHandler? OnChanged { get; set; }

        /// <summary>The objects that still wait, by name.</summary>
        internal List<string> WaitingObjects() => [.. Keys.Select(ObjectOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        /// <summary>
        /// Takes over the file's values for the objects <paramref name="names"/> (and the optimizer slots saved for them)
        /// out of <paramref name="tensors"/>, which the caller disposes without them.
        /// </summary>
        internal void Add(IEnumerable<string> names, Dictionary<string, Tensor> tensors)
        {
            foreach (var name in names)
            {
                if (!Kinds.TryGetValue(name, out var kind) || kind is "optimizer") continue;
                string prefix = name + "/variables/";
                foreach (var key in tensors.Keys.ToList())
                    if (kind == "layer" ? key.StartsWith(prefix, StringComparison.Ordinal) && key[prefix.Length..].All(char.IsAsciiDigit)
                                        : key == name + kind switch { "variable" => "/value", "generator" => "/state", _ => "/position" })
                    {
                        Keys.Add(key);
                        Move(key, tensors);
                    }
                if (kind == "layer") LayerCounts[name] = Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal) && k[prefix.Length..].All(char.IsAsciiDigit));
                foreach (var (optimizer, optimizerKind) in Kinds)
                    if (optimizerKind == "optimizer")
                        foreach (var key in tensors.Keys.Where(k => k.StartsWith($"{optimizer}/{name}/", StringComparison.Ordinal)).ToList())
                            Move(key, tensors);
            }
        }

        private void Move(string key, Dictionary<string, Tensor> tensors)
        {
            if (tensors.Remove(key, out var t) && !Tensors.TryAdd(key, t)) t.Dispose();
        }

        /// <summary>Marks <paramref name="key"/> taken (its value, already assigned or given up, is let go).</summary>
        internal void Take(string key)
        {
            if (!Keys.Remove(key)) return;
            if (Tensors.Remove(key, out var t)) t.Dispose();
            string name = ObjectOf(key);
            if (Keys.Any(k => ObjectOf(k) == name)) return;
            Taken.Add(name);
            LayerCounts.Remove(name);   // a layer with nothing left waiting is like any restored one (a late optimizer's slots)
        }

        /// <summary>Marks every waiting value under <paramref name="prefix"/> taken (an object the indexer restored from the file).</summary>
        internal void TakeUnder(string prefix)
        {
            foreach (var key in Keys.Where(k => k.StartsWith(prefix + "/", StringComparison.Ordinal)).ToList()) Take(key);
        }

        internal void Release()
        {
            foreach (var list in Watched) list.CollectionChanged -= OnChanged;
            Watched.Clear();
            foreach (var t in Tensors.Values) t.Dispose();
            Tensors.Clear();
            Keys.Clear();
        }
    }

    // The object a value key belongs to: "net/variables/3" and "v/value" are net's and v's.
    private static string ObjectOf(string key) =>
        key.LastIndexOf("/variables/", StringComparison.Ordinal) is >= 0 and var at ? key[..at] : key[..key.LastIndexOf('/')];

    // Every restore with values still waiting, weakly: a checkpoint dropped by its caller stops waiting.
    private static readonly List<WeakReference<Waiting>> s_waiting = [];
    private static volatile int s_waitingCount;

    // The restores each waiting object (an unbuilt layer, a list or dictionary that may grow) keeps alive: as TensorFlow's
    // objects hold their deferred restorations, a checkpoint made only to restore (new Checkpoint(...).Restore(path), then
    // dropped) still delivers the values, while the objects live and no longer.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, List<Waiting>> s_keptBy = new();

    private static void Register(Waiting waiting)
    {
        var leaves = LeavesOf("", waiting.Root);
        foreach (var holder in leaves.Where(l => l.Value is Layer && waiting.LayerCounts.ContainsKey(l.Key)).Select(l => l.Value)
                                     .Concat(ContainersOf("", waiting.Root).Select(c => c.Container).Where(c => c is not Checkpoint)))
        {
            var kept = s_keptBy.GetOrCreateValue(holder);
            lock (kept)
                if (!kept.Contains(waiting)) kept.Add(waiting);
        }
        lock (s_waiting)
        {
            if (!s_waiting.Any(weak => weak.TryGetTarget(out var w) && ReferenceEquals(w, waiting))) s_waiting.Add(new WeakReference<Waiting>(waiting));
            s_waitingCount = s_waiting.Count;
        }
    }

    /// <summary>
    /// Called by a layer that has just built its weights (before its first output): every restore still waiting takes
    /// the values it holds for them, and for any other object added since.
    /// </summary>
    internal static void LayerBuilt(Layer layer)
    {
        if (s_waitingCount == 0) return;
        SweepAll(layer);
    }

    // built: the layer whose build set this off (a restore whose objects do not hold it has nothing new).
    private static void SweepAll(Layer built)
    {
        List<Waiting> alive;
        lock (s_waiting)
        {
            alive = [];
            foreach (var weak in s_waiting)
                if (weak.TryGetTarget(out var w) && w.Keys.Count > 0) alive.Add(w);
            s_waiting.RemoveAll(weak => !weak.TryGetTarget(out var w) || w.Keys.Count == 0);
            s_waitingCount = s_waiting.Count;
        }
        foreach (var w in alive) Sweep(w, forced: null, built);
    }

    /// <summary>
    /// Gives each waiting value to the object now at its path. <paramref name="forced"/>: the objects a restore or a
    /// list's Add just placed, which take their values whatever they hold; any other variable only while unwritten (one
    /// found late in a plain list that the caller has set since keeps the caller's value). <paramref name="built"/>: the
    /// layer whose build set this off; a restore whose objects do not hold it has nothing new.
    /// </summary>
    private static void Sweep(Waiting w, HashSet<object>? forced, Layer? built = null)
    {
        lock (w)
        {
            if (w.Keys.Count == 0) return;
            var leaves = LeavesOf("", w.Root);
            if (built is not null && !leaves.Any(l => l.Value is Layer layer && layer.LayerTree().Contains(built))) return;
            var takes = new List<(Variable Target, string Key)>();
            var taking = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
            var late = new List<KeyValuePair<string, object>>();
            bool May(Variable v, object leaf) => forced is null ? v.Unwritten : forced.Contains(leaf) || forced.Contains(v) || v.Unwritten;
            void TakeVariable(Variable v, string? key, object leaf)
            {
                if (key is not null && w.Keys.Contains(key) && May(v, leaf) && taking.Add(v)) takes.Add((v, key));
            }
            foreach (var (name, value) in leaves)
            {
                switch (value)
                {
                    case Variable variable:
                        TakeVariable(variable, w.Kinds.GetValueOrDefault(name) == "variable" ? name + "/value" : w.Aliases.GetValueOrDefault(name), variable);
                        break;
                    case Layer layer:
                        foreach (var (at, v) in NamedVariables(layer)) TakeVariable(v, w.Aliases.GetValueOrDefault(Join(name, at)), layer);
                        if (w.LayerCounts.TryGetValue(name, out int count) && w.Kinds.GetValueOrDefault(name) == "layer" && Unbuilt(layer) is null)
                        {
                            var variables = layer.Variables;
                            if (variables.Count != count)
                            {
                                w.TakeUnder(name);   // refused once: the values are let go, not offered again at every build
                                throw new InvalidDataException(
                                    $"Checkpoint: '{name}' ({layer.Name}) built {variables.Count} variables, but '{w.File}' holds {count} for it; is it the same architecture? " +
                                    "Its saved values are dropped.");
                            }
                            for (int i = 0; i < count; i++) TakeVariable(variables[i], $"{name}/variables/{i}", layer);
                        }
                        break;
                    // Only as it is placed: a generator or iterator found late in a plain list may have drawn or moved since,
                    // and nothing tells (it keeps its state; an ObservableCollection restores it as it is added).
                    case NF.Random.Generator or Data.ICheckpointedIterator when forced?.Contains(value) == true:
                        if (w.Keys.Contains(name + (value is NF.Random.Generator ? "/state" : "/position"))) late.Add(new(name, value));
                        break;
                }
            }
            // Every value is checked (variables and slots) before any is set.
            foreach (var (target, key) in takes)
            {
                var value = w.Tensors[key];
                if (value.Shape != target.Shape || value.DType != target.DType && !(value.DType.IsFloating() && target.DType.IsFloating()))
                {
                    w.TakeUnder(ObjectOf(key));   // refused once: the object's values are let go, not offered again at every build
                    throw new InvalidDataException(
                        $"Checkpoint: {target.Name ?? "a variable"} was built as {target.DType.Name()} {target.Shape}, but '{w.File}' holds {value.DType.Name()} {value.Shape} for it " +
                        $"('{key}'): the layer is not built as the one that was saved (another input size or unit count?); its saved values are dropped.");
                }
            }
            RestoreSlots(w.Tensors, OptimizersOf(leaves, w.Kinds), takes.Select(t => (t.Target, t.Key)), w.File);
            foreach (var (target, key) in takes) Layer.AssignConverted(target, w.Tensors[key]);
            if (late.Count > 0)
            {
                LoadLeaves(w.File, w.Tensors, w.Kinds, w.Aliases, late);
                foreach (var (name, value) in late) w.Take(name + (value is NF.Random.Generator ? "/state" : "/position"));
            }
            foreach (var (_, key) in takes) w.Take(key);
            WatchLists(w);
            if (w.Keys.Count == 0) w.Release();
        }
    }

    /// <summary>
    /// Adds to a save the values that a model or layer of it, not built since the restore, still waits for (with their
    /// aliases and the optimizers' slots saved for them), so that a save between a restore and the first call (a
    /// CheckpointManager that then deletes the file restored from) loses nothing.
    /// </summary>
    private void CarryWaiting(List<KeyValuePair<string, object>> leaves, Dictionary<string, Tensor> tensors, IDictionary<string, string> aliases)
    {
        if (_restoredFrom is not { Waiting: var w, Prefix: var prefix }) return;
        lock (w)
        {
            var carried = new List<(string Name, string Full)>();
            foreach (var (name, value) in leaves)
            {
                string full = Join(prefix, name);
                if (value is not Layer layer || !w.LayerCounts.TryGetValue(full, out int count) || layer.Variables.Count != 0) continue;
                var keys = Enumerable.Range(0, count).Select(i => $"{full}/variables/{i}").ToList();
                if (!keys.All(w.Tensors.ContainsKey)) continue;
                for (int i = 0; i < count; i++) tensors[$"{name}/variables/{i}"] = w.Tensors[keys[i]];
                foreach (var (path, key) in w.Aliases)
                    if (path.StartsWith(full + "/", StringComparison.Ordinal) && key.StartsWith(full + "/", StringComparison.Ordinal))
                        aliases.TryAdd(name + path[full.Length..], name + key[full.Length..]);
                carried.Add((name, full));
            }
            foreach (var (optimizer, value) in leaves)
            {
                if (value is not Optimizers.Optimizer) continue;
                string optimizerFull = Join(prefix, optimizer);
                foreach (var (name, full) in carried)
                {
                    string from = $"{optimizerFull}/{full}/";
                    foreach (var (key, tensor) in w.Tensors)
                        if (key.StartsWith(from, StringComparison.Ordinal)) tensors.TryAdd($"{optimizer}/{name}/{key[from.Length..]}", tensor);
                }
            }
        }
    }

    // The optimizers of the checkpoint that the file holds state for, with their names in it.
    private static List<(string Name, Optimizers.Optimizer Optimizer)> OptimizersOf(List<KeyValuePair<string, object>> leaves, Dictionary<string, string> kinds) =>
        [.. leaves.Where(l => l.Value is Optimizers.Optimizer && kinds.GetValueOrDefault(l.Key) == "optimizer").Select(l => (l.Key, (Optimizers.Optimizer)l.Value))];

    /// <summary>
    /// Each optimizer's slots (and moving average) saved for each variable taken from <c>{owner}/value</c> or
    /// <c>{owner}/variables/{i}</c>: Adam's moments for weights that did not exist when the optimizer was restored.
    /// </summary>
    private static void RestoreSlots(Dictionary<string, Tensor> tensors, List<(string Name, Optimizers.Optimizer Optimizer)> optimizers,
                                     IEnumerable<(Variable Target, string Key)> taken, string file)
    {
        var pairs = taken.ToList();
        foreach (var (name, optimizer) in optimizers)
        {
            var slots = new List<(Variable, IReadOnlyList<Tensor>)>();
            var averages = new List<(Variable, Tensor)>();
            var accumulators = new List<(Variable, Tensor)>();
            foreach (var (target, key) in pairs)
            {
                var (owner, index) = key.LastIndexOf("/variables/", StringComparison.Ordinal) is >= 0 and var at
                    ? (key[..at], int.Parse(key[(at + "/variables/".Length)..], CultureInfo.InvariantCulture))
                    : (key[..key.LastIndexOf('/')], 0);
                var values = new List<Tensor>();
                while (tensors.TryGetValue($"{name}/{owner}/slots/{index}/{values.Count}", out var slot)) values.Add(slot);
                if (values.Count > 0) slots.Add((target, values));
                if (tensors.TryGetValue($"{name}/{owner}/average/{index}", out var average)) averages.Add((target, average));
                if (tensors.TryGetValue($"{name}/{owner}/{Keras.Model.AccumulatorKey}/{index}", out var accumulated)) accumulators.Add((target, accumulated));
            }
            try
            {
                optimizer.StateHolder.RestoreSlots(slots);
                optimizer.StateHolder.RestoreAverages(averages);
                optimizer.StateHolder.RestoreAccumulators(accumulators);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Checkpoint: '{file}' holds optimizer state under '{name}' that does not fit: {e.Message}", e);
            }
        }
    }

    // Subscribes to every list of the graph that reports its changes, so that an element added to it takes its values then.
    private static void WatchLists(Waiting w)
    {
        if (w.Keys.Count == 0) return;
        w.OnChanged ??= (_, e) =>
        {
            if (e.NewItems is not { Count: > 0 } added) return;
            var forced = new HashSet<object>(ReferenceEqualityComparer.Instance);
            foreach (var item in added)
                if (item is not null)
                    foreach (var (_, leaf) in LeavesOf("", item)) forced.Add(leaf);
            Sweep(w, forced);
        };
        foreach (var (_, container) in ContainersOf("", w.Root))
            if (container is INotifyCollectionChanged list && w.Watched.Add(list)) list.CollectionChanged += w.OnChanged;
    }
}
