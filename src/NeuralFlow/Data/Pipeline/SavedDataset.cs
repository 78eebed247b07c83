using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// A dataset saved to a directory (<c>Dataset.Save</c>, <c>Dataset.Load</c>, and the files of
/// <c>Snapshot</c>), laid out as tf.data's save lays it out in spirit: shards of elements, and the
/// element spec beside them.
/// </summary>
/// <remarks>
/// <para>The directory holds one file per shard, <c>shard-{id:D5}.nfdata</c>, each an
/// <see cref="ElementFile"/> (the elements sent to that shard, in order), and <c>dataset_spec.json</c>:
/// <c>{"format": "neuralflow-saved-dataset", "version": 1, "element_spec": ..., "shards": [ids in
/// ascending order], "elements": count, "compression": "" or "GZIP"}</c>, the spec as
/// <see cref="ElementSpecJson"/> writes it; with GZIP each shard file is one gzip stream of its ElementFile.</para>
/// <para>Nothing is lost and nothing half-written is read. A save is written into a hidden
/// directory beside the target (<c>.{name}.nf-saving-{guid}.tmp</c>, see <see cref="SaveLeftovers"/>),
/// the shards flushed to the disk, the spec written last, and the directory is then renamed to the
/// target in one step. A save that fails or is abandoned removes its hidden files; one that is
/// killed leaves them, never a directory <see cref="Open"/> accepts, and the next save to the same
/// target removes them.</para>
/// <para>The shards are read interleaved, one element from each in turn (tf.data's load reads them
/// through an interleave). A save without a shard function spreads the elements round robin (element
/// i to shard i mod n), so the interleave gives them back in their order.</para>
/// </remarks>
internal sealed class SavedDataset
{
    public const string SpecFile = "dataset_spec.json";
    private const string Format = "neuralflow-saved-dataset";

    private SavedDataset(string path, ElementSpec spec, long[] shards, long count, string compression) =>
        (Path, Spec, Shards, Count, Compression) = (path, spec, shards, count, compression);

    public string Path { get; }
    public ElementSpec Spec { get; }
    public long[] Shards { get; }
    public long Count { get; }

    /// <summary>How the shards are compressed: "" (not) or "GZIP".</summary>
    public string Compression { get; }

    /// <summary>
    /// The directory's full path without a trailing separator: "saved/" names the directory "saved",
    /// whose hidden sibling the save is written in (not a directory inside it).
    /// </summary>
    public static string FullPath(string path) => System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));

    public static string ShardFile(string directory, long id) => System.IO.Path.Combine(directory, $"shard-{id:D5}.nfdata");

    /// <summary>Whether <paramref name="path"/> is a directory that a save completed (its spec is there).</summary>
    public static bool IsComplete(string path) => File.Exists(System.IO.Path.Combine(path, SpecFile));

    /// <summary>
    /// The saved dataset at <paramref name="path"/>; a missing directory or one no save completed is
    /// refused naming it (<paramref name="op"/> names the caller).
    /// </summary>
    public static SavedDataset Open(string path, string op)
    {
        if (File.Exists(path))
            throw new IOException($"{op}: '{path}' is a file; a saved dataset is a directory (the path given to Save).");
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException(SaveLeftovers.Stems(path).Any()
                ? $"{op}: there is no saved dataset at '{path}': only the hidden files of a save that has not completed (still running, or killed: {System.IO.Path.GetFileName(SaveLeftovers.Stems(path).First())}.*). Save again; the next save to '{path}' removes a killed one's files."
                : $"{op}: there is no saved dataset at '{path}': the directory does not exist.");
        string specFile = System.IO.Path.Combine(path, SpecFile);
        if (!File.Exists(specFile))
            throw new InvalidDataException(
                $"{op}: '{path}' is not a complete saved dataset: it has no {SpecFile}, which a save writes last (the save was interrupted, or the directory holds something else).");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(specFile)) as JsonObject ?? throw new InvalidDataException("it is not a JSON object");
            if ((string?)root["format"] != Format || (int?)root["version"] != 1)
                throw new InvalidDataException($"it is not format {Format} version 1");
            var spec = ElementSpecJson.Read(root["element_spec"]);
            var shards = (root["shards"] as JsonArray ?? throw new InvalidDataException("it lists no shards")).Select(s => s!.GetValue<long>()).ToArray();
            long count = root["elements"]?.GetValue<long>() ?? throw new InvalidDataException("it gives no element count");
            string compression = (string?)root["compression"] ?? "";
            if (compression is not ("" or "GZIP")) throw new InvalidDataException($"it names the compression '{compression}', neither none nor GZIP");
            foreach (var id in shards)
                if (!File.Exists(ShardFile(path, id))) throw new InvalidDataException($"its shard {id} ({System.IO.Path.GetFileName(ShardFile(path, id))}) is missing");
            return new SavedDataset(path, spec, shards, count, compression);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or FormatException or InvalidOperationException or ArgumentException or NullReferenceException)
        {
            throw new InvalidDataException($"{op}: cannot read the saved dataset at '{path}': {specFile} is damaged: {e.Message.TrimEnd('.')}.", e);
        }
    }

    /// <summary>
    /// At most this many shards are open at once; more are read as an interleave with this cycle
    /// length reads them (a shard that ends gives its place to the next). tf.data's default reader
    /// uses the machine's core count; a fixed number keeps the order the same on every machine.
    /// </summary>
    public const int MaxOpenShards = 256;

    /// <summary>
    /// The elements of the shards interleaved: one from each open shard in turn, in ascending id
    /// order (see <see cref="MaxOpenShards"/>), each owned by the caller.
    /// </summary>
    public IEnumerable<Part[]> Elements(string op)
    {
        int width = Spec.Count;
        IEnumerator<Part[]> Reader(long id)
        {
            string file = ShardFile(Path, id);
            return ElementFile.Read(file, width,
                (why, inner) => new InvalidDataException($"{op}: cannot read the saved dataset at '{Path}': shard '{file}': {why}.", inner), Compression).GetEnumerator();
        }
        var cycle = new List<IEnumerator<Part[]>?>();
        int next = 0;
        try
        {
            while (cycle.Count < MaxOpenShards && next < Shards.Length) cycle.Add(Reader(Shards[next++]));
            for (int open = cycle.Count; open > 0;)
                for (int slot = 0; slot < cycle.Count; slot++)
                {
                    var reader = cycle[slot];
                    if (reader is null) continue;
                    if (reader.MoveNext())
                    {
                        yield return reader.Current;
                        continue;
                    }
                    reader.Dispose();
                    cycle[slot] = next < Shards.Length ? Reader(Shards[next++]) : null;
                    if (cycle[slot] is null) open--;
                    else slot--;   // the newcomer gives its first element in this turn
                }
        }
        finally
        {
            foreach (var reader in cycle) reader?.Dispose();
        }
    }

    /// <summary>Refuses a compression given to Load that is not the one the dataset was saved with.</summary>
    public void CheckCompression(string? given, string op)
    {
        if (given is null) return;
        string wanted = given is "" or "NONE" ? "" : given;
        if (wanted is not ("" or "GZIP"))
            throw new ArgumentException($"{op}: compression must be null (as saved), \"\", \"NONE\" or \"GZIP\", not \"{given}\".", "compression");
        if (wanted != Compression)
            throw new ArgumentException(
                $"{op}: the dataset at '{Path}' was saved with compression {Name(Compression)}, but compression {Name(wanted)} was given; give {Name(Compression)}, or null to read it as saved.", "compression");
        static string Name(string c) => c == "" ? "NONE" : c;
    }

    /// <summary>
    /// Starts a save to <paramref name="path"/> of elements of <paramref name="width"/> components
    /// (see the remarks for how it stays atomic). What exists at <paramref name="path"/> is checked
    /// now: a file, or a directory that holds something other than a saved dataset, is refused, so
    /// that a save never replaces the user's other files.
    /// </summary>
    public static Writing Begin(string path, int width, string op, string compression = "")
    {
        string full = FullPath(path);
        CheckReplaceable(full, op);
        string parent = System.IO.Path.GetDirectoryName(full) ?? throw new ArgumentException($"{op}: '{path}' names no directory.", nameof(path));
        Directory.CreateDirectory(parent);
        SaveLeftovers.Clean(full);
        var (stem, held) = SaveLeftovers.Claim(full);
        return new Writing(full, stem, held, width, op, compression);
    }

    private static void CheckReplaceable(string full, string op)
    {
        if (File.Exists(full))
            throw new IOException($"{op}: '{full}' is a file; give a directory path for the saved dataset.");
        if (Directory.Exists(full) && !IsComplete(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new IOException($"{op}: '{full}' is a directory that holds other files and no saved dataset; it is not overwritten. Give a new or empty directory.");
    }

    /// <summary>A save in progress, in its hidden directory; disposing it uncommitted deletes that directory.</summary>
    internal sealed class Writing(string path, string stem, FileStream held, int width, string op, string compression) : IDisposable
    {
        private readonly string temp = stem + ".tmp";
        // Per shard: the file, what the elements are written to (the file, or a compressor onto it), the writer.
        private readonly SortedDictionary<long, (FileStream File, Stream Data, ElementFile.Writer Writer)> _shards = [];
        private bool _done;

        /// <summary>Writes one element (which stays the caller's) to shard <paramref name="shard"/>.</summary>
        public void Append(long shard, Part[] element)
        {
            if (shard < 0)
                throw new InvalidOperationException($"{op}: the shard function returned {shard}; shard ids must be 0 or more.");
            if (!_shards.TryGetValue(shard, out var target))
            {
                var file = new FileStream(ShardFile(temp, shard), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                Stream data = compression == "GZIP" ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true) : file;
                target = (file, data, new ElementFile.Writer(data, width));
                _shards.Add(shard, target);
            }
            target.Writer.Append(element);
        }

        /// <summary>
        /// Ends every shard, writes the spec last and renames the directory to the target. A complete
        /// saved dataset already there is replaced when <paramref name="replace"/> (Save), kept otherwise
        /// (a snapshot another pass completed first), and this one dropped.
        /// </summary>
        public void Commit(ElementSpec spec, bool replace)
        {
            long count = 0;
            foreach (var (file, data, writer) in _shards.Values)
            {
                writer.Finish();
                count += writer.Count;
                if (data != file) data.Dispose();   // a compressor writes its end here
                file.Flush(flushToDisk: true);
                file.Dispose();
            }
            var root = new JsonObject
            {
                ["format"] = Format,
                ["version"] = 1,
                ["element_spec"] = ElementSpecJson.Write(spec),
                ["shards"] = new JsonArray(_shards.Keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()),
                ["elements"] = count,
                ["compression"] = compression,
            };
            using (var specStream = new FileStream(System.IO.Path.Combine(temp, SpecFile), FileMode.CreateNew, FileAccess.Write))
            {
                specStream.Write(System.Text.Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
                specStream.Flush(flushToDisk: true);
            }
            if (Directory.Exists(path))
            {
                if (!replace && IsComplete(path)) return;   // Dispose deletes this copy
                CheckReplaceable(path, op);
                // Moved aside, not deleted, until the new one is in place.
                string old = stem + ".old";
                Directory.Move(path, old);
                Directory.Move(temp, path);
                _done = true;
                Directory.Delete(old, recursive: true);
                return;
            }
            Directory.Move(temp, path);
            _done = true;
        }

        public void Dispose()
        {
            foreach (var (file, data, _) in _shards.Values)
            {
                data.Dispose();
                file.Dispose();
            }
            _shards.Clear();
            if (!_done)
            {
                _done = true;
                try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
            SaveLeftovers.Release(stem, held);
        }
    }
}
