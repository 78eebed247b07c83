using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    private const string ModelFormat = "neuralflow.model";
    private const int ModelFormatVersion = 1;
    // A model's JSON is a few kilobytes; a larger one is not ours.
    private const long MaxJsonEntryBytes = 16L << 20;

    /// <summary>
    /// Saves the whole model to one <c>.nfmodel</c> file (Keras' <c>model.save</c>), atomically:
    /// a zip, as Keras' <c>.keras</c>, holding <c>metadata.json</c> (format and library version),
    /// <c>config.json</c> (each layer's type and arguments, and what <c>Compile</c> was given),
    /// <c>model.weights.safetensors</c> and, once trained, <c>optimizer.safetensors</c> (the
    /// optimizer's slots, iteration count and constant learning rate), so that <see cref="Load"/> rebuilds it without user
    /// code and training resumes exactly where it stopped.
    /// </summary>
    /// <remarks>
    /// Keras' names write Keras' formats: <c>"x.keras"</c> Keras 3's archive (which Python's
    /// <c>keras.models.load_model</c> reads; NeuralFlow's own entries inside keep the exact state),
    /// <c>"x.h5"</c> the legacy Keras 2 whole-model HDF5 file (architecture and weights).
    /// A <see cref="Sequential"/> or functional model (shared layers and nested models included) of
    /// registered layer types (every built-in one, and yours after
    /// <see cref="KerasSerialization.Register{TLayer}"/>). A subclassed model is saved as Keras 3
    /// saves one: its class and <see cref="Layer.GetConfig"/> (override it with the constructor's
    /// arguments), and the weights of the layers it holds; <see cref="Load"/> rebuilds it with the
    /// factory its class was registered with, or one passed in customObjects (Keras'
    /// <c>from_config</c>). A name ending in <c>.safetensors</c> (a weights file) is refused: use <see cref="SaveWeights"/>.
    /// </remarks>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckFileKind(path, weightsOnly: false, nameof(Save), "save the weights alone with SaveWeights");
        var unbuilt = this is Sequential sequential ? sequential.AllLayers.FirstOrDefault(l => !l.Built) : null;
        if (unbuilt is not null)
            throw new InvalidOperationException($"Save: layer {unbuilt.Name} has no weights yet; call the model once on a batch (or Fit it) before saving.");
        var config = ModelEntry();
        if (_optimizer is not null && _loss is not null) config["compile_config"] = CompileConfig.Serialize(_optimizer, _losses, _lossWeights,
            Enumerable.Range(0, _outputMetrics.Length).Select(i => (IReadOnlyList<Metrics.PredictionMetric>)PlainMetrics(i)).ToList(),
            Enumerable.Range(0, _outputMetrics.Length).Select(i => (IReadOnlyList<Metrics.PredictionMetric>)WeightedMetrics(i)).ToList(), StepsPerExecution,
            RunEagerly, JitCompile);

        switch (KerasFileOf(path))
        {
            case KerasFile.Archive: WriteKerasArchive(path, config); break;
            case KerasFile.Keras3Weights or KerasFile.LegacyH5: WriteLegacyH5(path, config); break;
            default: WriteArchive(path, config, trainingState: null); break;
        }
    }

    /// <summary>
    /// Writes the archive: metadata, the config when given (a checkpoint of any model has none),
    /// the training state when given (a checkpoint's epoch and random position), the weights,
    /// the optimizer's state and the positions of seeded layers' generators.
    /// </summary>
    internal void WriteArchive(string path, JsonObject? config, JsonObject? trainingState)
    {
        var streams = StreamPositions();
        var variables = Variables;
        var keys = Keys(variables);
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < variables.Count; i++) weights.Add(keys[i], variables[i]);
        var weightsMetadata = new Dictionary<string, string> { [OrderKey] = JsonSerializer.Serialize(keys) };
        AddStates(weights, weightsMetadata);
        var writeWeights = NF.Safetensors.Writer(weights, weightsMetadata);
        var writeOptimizer = _optimizer is null ? null : OptimizerState(_optimizer, variables);
        var metadata = new JsonObject
        {
            ["format"] = ModelFormat,
            ["format_version"] = ModelFormatVersion,
            ["library_version"] = typeof(Model).Assembly.GetName().Version?.ToString(),
            ["saved_at"] = DateTime.UtcNow.ToString("O"),
        };

        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntry(zip, "metadata.json", s => s.Write(JsonSerializer.SerializeToUtf8Bytes(metadata)), CompressionLevel.Optimal);
            if (config is not null)
                WriteEntry(zip, "config.json", s => s.Write(JsonSerializer.SerializeToUtf8Bytes(config, new JsonSerializerOptions { WriteIndented = true })), CompressionLevel.Optimal);
            if (trainingState is not null)
                WriteEntry(zip, "training_state.json", s => s.Write(JsonSerializer.SerializeToUtf8Bytes(trainingState)), CompressionLevel.Optimal);
            WriteEntry(zip, "model.weights.safetensors", writeWeights, CompressionLevel.NoCompression);
            if (writeOptimizer is not null) WriteEntry(zip, "optimizer.safetensors", writeOptimizer, CompressionLevel.NoCompression);
            if (streams is not null) WriteEntry(zip, SeedGeneratorsEntry, s => s.Write(JsonSerializer.SerializeToUtf8Bytes(streams)), CompressionLevel.Optimal);
        });
    }

    /// <summary>
    /// Restores this model's weights and, when both have one, its optimizer's state from an
    /// archive of <see cref="WriteArchive"/>; returns the archive's training state (or null).
    /// </summary>
    internal JsonObject? RestoreArchive(string path) => Damaged(path, () =>
    {
        using var zip = OpenArchive(path, out bool keras3);
        if (keras3) throw new InvalidDataException($"'{path}' is a Keras 3 model file (.keras), not a NeuralFlow checkpoint: load it with Model.Load.");
        RestoreWeightsAndState(zip, path, _optimizer);
        return zip.GetEntry("training_state.json") is null ? null : ReadJson(zip, "training_state.json", path);
    });

    // The zip reader finds most damage lazily (its directory on the first lookup, a header when
    // an entry opens), and JSON values are type-checked when read (a number where a string
    // should be, text that is not UTF-8, a missing key): none of these name the file, so say
    // which file is damaged.
    private static T Damaged<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or NotSupportedException or InvalidOperationException
                                      or FormatException or OverflowException or KeyNotFoundException or NullReferenceException or ArgumentException
                                  && !e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is a damaged model file: {e.Message}", e);
        }
    }

    /// <summary>
    /// Rebuilds a model saved by <see cref="Save"/> (Keras' <c>keras.models.load_model</c>):
    /// its layers, weights and, when it was compiled, its optimizer, loss and metrics with the
    /// optimizer's state, on the default device. Every part is validated; a corrupt or foreign
    /// file is an <see cref="InvalidDataException"/> naming the file and what is wrong.
    /// A legacy Keras 2 / tf.keras <c>model.save("x.h5")</c> file (HDF5, found by its signature)
    /// loads too: its architecture from the <c>model_config</c> attribute and its weights,
    /// uncompiled (compile it to train).
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="customObjects">Keras' <c>custom_objects</c>: the class names of layer types of your own, each with the
    /// factory that rebuilds one from its config, looked up before the registered types (for this load only).</param>
    public static Model Load(string path, IReadOnlyDictionary<string, Func<JsonObject, Layer>>? customObjects = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (customObjects is not null) return KerasSerialization.WithCustomObjects(customObjects, () => Load(path));
        // A zip first: a .keras archive holds an HDF5 file uncompressed, whose signature the HDF5
        // probe (which also looks past a user block, at 512, 1024, ...) could find inside the zip.
        if (File.Exists(path) && !IsZip(path) && IO.Hdf5.Hdf5Source.IsHdf5(path)) return Damaged(path, () => Saving.KerasH5Model.Load(path));
        return Damaged(path, () => LoadArchive(path));
    }

    /// <summary>
    /// <see cref="Load(string, IReadOnlyDictionary{string, Func{JsonObject, Layer}}?)"/> with Keras'
    /// <c>custom_objects</c> of every kind: the layers and subclassed models, losses, metrics,
    /// activations, initializers, regularizers and constraints of your own that the file names
    /// (<see cref="CustomObjects"/>), found before the built-in and registered ones, for this load only.
    /// Null loads with none, as Keras' <c>custom_objects=None</c> (this overload is the one
    /// <c>Load(path, null)</c> picks).
    /// </summary>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Model Load(string path, CustomObjects? customObjects)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return customObjects is null ? Load(path) : KerasSerialization.WithCustomObjects(customObjects, () => Load(path));
    }

    private static Model LoadArchive(string path)
    {
        using var zip = OpenArchive(path, out bool keras3);
        if (keras3) return LoadKeras3(zip, path);
        var config = zip.GetEntry("config.json") is null
            ? throw new InvalidDataException($"'{path}' holds weights but no architecture (a training checkpoint): load it into a model you build, with the callback that wrote it.")
            : ReadJson(zip, "config.json", path);
        var model = FromOwnConfig(config, path, out var optimizer);
        model.RestoreWeightsAndState(zip, path, optimizer);
        return model;
    }

    // A model from NeuralFlow's own config.json, compiled as it was saved; its optimizer, or null.
    private static Model FromOwnConfig(JsonObject config, string path, out Optimizers.Optimizer? optimizer)
    {
        var model = FromEntry(config, path);
        optimizer = null;
        if (config["compile_config"] is JsonObject compile)
        {
            var (opt, losses, weights, metrics, weighted) = CompileConfig.Deserialize(compile, path);
            model.CompileOutputs(opt, losses, weights, metrics, CompileConfig.RunEagerly(compile), weighted,
                stepsPerExecution: CompileConfig.StepsPerExecution(compile), jitCompile: CompileConfig.JitCompile(compile));
            optimizer = opt;
        }
        return model;
    }

    // Opens a model archive and checks its metadata: NeuralFlow's format, or (keras3) the
    // .keras archive of Keras 3's model.save, whose metadata.json names a keras_version instead.
    private static ZipArchive OpenArchive(string path, out bool keras3)
    {
        keras3 = false;
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}' is not a NeuralFlow model file (not a zip archive: {e.Message}).", e); }
        try
        {
            var metadata = ReadJson(zip, "metadata.json", path);
            if (metadata["format"] is null && metadata["keras_version"] is JsonValue)
            {
                keras3 = true;
                return zip;
            }
            if (metadata["format"]?.GetValue<string>() != ModelFormat)
                throw new InvalidDataException($"'{path}' is not a NeuralFlow model file (metadata.json names format '{metadata["format"]}').");
            if (metadata["format_version"]?.GetValue<int>() is not { } version || version > ModelFormatVersion)
                throw new InvalidDataException($"'{path}' has model format version {metadata["format_version"]}; this library reads up to {ModelFormatVersion}: update NeuralFlow.");
            return zip;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    // The archive's weights into this model's variables, and its optimizer state into optimizer.
    private void RestoreWeightsAndState(ZipArchive zip, string path, Optimizers.Optimizer? optimizer)
    {
        var variables = Variables;
        IReadOnlyList<Variable> inFile;
        using (var weights = new ArchivedTensors(zip, "model.weights.safetensors", path))
        {
            inFile = AssignFromFile("Load", variables, WithoutStates(weights.Tensors, weights.Metadata), weights.Metadata, path);
            RestoreStates("Load", weights.Tensors, weights.Metadata, path);
        }
        RestoreOptimizerAndStreams(zip, path, optimizer, "optimizer.safetensors", SeedGeneratorsEntry, inFile);
    }

    // The optimizer's state and the seeded generators' positions from the archive's entries of those names, when present;
    // the state's slots are numbered by the weights the file holds (inFile).
    private void RestoreOptimizerAndStreams(ZipArchive zip, string path, Optimizers.Optimizer? optimizer, string optimizerEntry, string streamsEntry,
                                            IReadOnlyList<Variable> inFile)
    {
        if (optimizer is not null && zip.GetEntry(optimizerEntry) is not null)
        {
            using var state = new ArchivedTensors(zip, optimizerEntry, path);
            RestoreOptimizer(optimizer, inFile, state.Tensors, path);
        }
        // Files written before generators were saved leave them where they are (at the start, for a model just loaded).
        if (zip.GetEntry(streamsEntry) is not null) RestoreStreamPositions(ReadJson(zip, streamsEntry, path), path);
    }

    // Seeded layers' generators (Keras' SeedGenerator state, a variable it saves): where each is,
    // so that a loaded model, or a Fit resumed by BackupAndRestore, draws the noise an
    // uninterrupted run would. Null when the model has none (the archive then has no entry).
    private const string SeedGeneratorsEntry = "seed_generators.json";

    private JsonObject? StreamPositions()
    {
        var streams = OwnStreams();
        return streams.Count == 0 ? null : new JsonObject
        {
            ["streams"] = new JsonArray(streams.Select(s => (JsonNode)new JsonObject { ["layer"] = s.Layer, ["position"] = s.Stream.Position }).ToArray()),
        };
    }

    private void RestoreStreamPositions(JsonObject saved, string path)
    {
        var streams = OwnStreams();
        var entries = saved["streams"]!.AsArray();
        if (entries.Count != streams.Count)
            throw new InvalidDataException($"'{path}' holds the positions of {entries.Count} seeded layers' generators, but this model has {streams.Count}.");
        // By order, as the weights of another instance of the architecture match (its layers may be named otherwise).
        var positions = entries.Select(e => e!["position"]!.GetValue<long>()).ToList();
        for (int i = 0; i < streams.Count; i++) streams[i].Stream.Position = positions[i];
    }

    // The optimizer's iteration count, a constant learning rate as "learning_rate" (Keras 3 keeps
    // it as an optimizer variable, so a rate that ReduceLROnPlateau or the user lowered comes back
    // with a BackupAndRestore checkpoint, whose archive has no compile config), each trained
    // variable's slots as "slots/{variable}/{slot}" and, with UseEma, its moving average as "average/{variable}".
    private const string LearningRateKey = "learning_rate";

    private static Action<Stream> OptimizerState(Optimizers.Optimizer optimizer, IReadOnlyList<Variable> variables) =>
        NF.Safetensors.Writer(OptimizerTensors(optimizer, variables), null);

    // The optimizer's state as named tensors (OptimizerState's file, a Train.Checkpoint's entries under the optimizer's name).
    internal static Dictionary<string, Tensor> OptimizerTensors(Optimizers.Optimizer optimizer, IReadOnlyList<Variable> variables)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        // A LossScaleOptimizer's scale and count of finite steps, then its inner optimizer's state (Keras' LossScaleOptimizer.variables).
        if (optimizer is Optimizers.LossScaleOptimizer scaling)
        {
            tensors.Add(LossScaleKey, NF.Constant(scaling.LossScale));
            tensors.Add(LossScaleStepsKey, NF.Constant(scaling.StepCounter));
        }
        optimizer = optimizer.StateHolder;
        tensors.Add("iterations", NF.Constant(optimizer.RawIterations));
        if (optimizer.LearningRate.Constant is { } rate) tensors.Add(LearningRateKey, NF.Constant(rate));
        for (int i = 0; i < variables.Count; i++)
            if (optimizer.SlotsOf(variables[i]) is { } slots)
                for (int j = 0; j < slots.Length; j++) tensors.Add($"slots/{i}/{j}", slots[j]);
        for (int i = 0; i < variables.Count; i++)
            if (optimizer.AverageOf(variables[i]) is { } average) tensors.Add($"average/{i}", average);
        for (int i = 0; i < variables.Count; i++)
            if (optimizer.AccumulatorOf(variables[i]) is { } accumulator) tensors.Add($"{AccumulatorKey}/{i}", accumulator);
        return tensors;
    }

    private const string LossScaleKey = "loss_scale", LossScaleStepsKey = "loss_scale_step_counter";

    // Gradient accumulation's sums since the last update (Keras' "gradient_accumulator" variables).
    internal const string AccumulatorKey = "gradient_accumulator";

    // where: the file's part that holds the state, named in errors ("optimizer.safetensors", a checkpoint's "generator_optimizer/").
    internal static void RestoreOptimizer(Optimizers.Optimizer optimizer, IReadOnlyList<Variable> variables, Dictionary<string, Tensor> state, string path,
                                          string where = "optimizer.safetensors")
    {
        if (state.Remove(LossScaleKey, out var scale) | state.Remove(LossScaleStepsKey, out var steps) && optimizer is Optimizers.LossScaleOptimizer scaling)
        {
            if (scale is not { DType: DType.Float64, Count: 1 } || steps is not { DType: DType.Int64, Count: 1 })
                throw new InvalidDataException($"'{path}': {where} has a loss scale that is not a float64 scale with an int64 step count.");
            scaling.RestoreScale(scale.Item<double>(), steps.Item<long>());
        }
        optimizer = optimizer.StateHolder;
        if (!state.TryGetValue("iterations", out var iterations) || iterations.DType != DType.Int64 || iterations.Count != 1)
            throw new InvalidDataException($"'{path}': {where} lacks an int64 'iterations'.");
        var saved = new List<(Variable, IReadOnlyList<Tensor>)>();
        for (int i = 0; i < variables.Count; i++)
        {
            var slots = new List<Tensor>();
            while (state.TryGetValue($"slots/{i}/{slots.Count}", out var slot)) slots.Add(slot);
            if (slots.Count > 0) saved.Add((variables[i], slots));
        }
        var averages = new List<(Variable, Tensor)>();
        for (int i = 0; i < variables.Count; i++)
            if (state.TryGetValue($"average/{i}", out var average)) averages.Add((variables[i], average));
        var accumulators = new List<(Variable, Tensor)>();
        for (int i = 0; i < variables.Count; i++)
            if (state.TryGetValue($"{AccumulatorKey}/{i}", out var accumulated)) accumulators.Add((variables[i], accumulated));
        state.TryGetValue(LearningRateKey, out var rate);
        if (rate is not null && (rate.DType != DType.Float64 || rate.Count != 1 || !double.IsFinite(rate.Item<double>()) || rate.Item<double>() < 0))
            throw new InvalidDataException($"'{path}': {where} has a '{LearningRateKey}' that is not a finite float64 rate >= 0.");
        int expected = saved.Sum(s => s.Item2.Count) + averages.Count + accumulators.Count + 1 + (rate is null ? 0 : 1);
        if (expected != state.Count)
            throw new InvalidDataException($"'{path}': {where} holds {state.Count} tensors, {expected} of which match this model's weights.");
        optimizer.Restore(iterations.Item<long>(), saved);
        optimizer.RestoreAverages(averages);
        try { optimizer.RestoreAccumulators(accumulators); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{path}': {where}: {e.Message}", e); }
        // Only over a constant rate, as Keras restores its rate variable: a schedule the caller
        // compiled with (it has no such variable) stays.
        if (rate is not null && optimizer.LearningRate.Constant is not null) optimizer.LearningRate = rate.Item<double>();
    }

    private static void WriteEntry(ZipArchive zip, string name, Action<Stream> write, CompressionLevel level)
    {
        using var s = zip.CreateEntry(name, level).Open();
        write(s);
    }

    private static JsonObject ReadJson(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"'{path}' lacks {name}: not a NeuralFlow model file, or a damaged one.");
        if (entry.Length > MaxJsonEntryBytes) throw new InvalidDataException($"'{path}': {name} claims {entry.Length} bytes, more than a model's JSON.");
        using var s = entry.Open();
        var bytes = new byte[entry.Length];
        s.ReadExactly(bytes);
        CheckCrc(entry, Crc32.Append(0, bytes), path);
        try
        {
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                ?? throw new InvalidDataException($"'{path}': {name} is not a JSON object.");
        }
        catch (JsonException e) { throw new InvalidDataException($"'{path}': {name} is not valid JSON ({e.Message}).", e); }
    }

    // The zip reader does not check an entry's CRC: a damaged byte of an uncompressed entry (the
    // weights) would load as a wrong weight, so every entry read is checked here.
    private static void CheckCrc(ZipArchiveEntry entry, uint crc, string path)
    {
        if (crc != entry.Crc32)
            throw new InvalidDataException($"'{path}' is damaged: {entry.FullName} fails its CRC-32 check (0x{crc:x8}, the archive records 0x{entry.Crc32:x8}).");
    }

    // An entry of the archive copied to a temporary file (the safetensors and HDF5 readers read
    // files by offset), its size and CRC checked; the caller deletes the file.
    private static string ExtractEntry(ZipArchive zip, string name, string path, string extension)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"'{path}' lacks {name}.");
        string temp = Path.Combine(Path.GetTempPath(), $"nf-{Guid.NewGuid():N}{extension}");
        try
        {
            using var source = entry.Open();
            using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None);
            // Never more than the entry declares: a zip that lies about sizes cannot fill the disk.
            var buffer = new byte[1 << 16];
            long total = 0;
            uint crc = 0;
            for (int n; (n = source.Read(buffer)) > 0;)
            {
                total += n;
                if (total > entry.Length) throw new InvalidDataException($"'{path}': {name} holds more bytes than it declares.");
                crc = Crc32.Append(crc, buffer.AsSpan(0, n));
                target.Write(buffer, 0, n);
            }
            if (total != entry.Length) throw new InvalidDataException($"'{path}': {name} holds {total} bytes, fewer than the {entry.Length} it declares (truncated?).");
            CheckCrc(entry, crc, path);
            return temp;
        }
        catch
        {
            DeleteTemporary(temp);
            throw;
        }
    }

    private static void DeleteTemporary(string temp)
    {
        try { File.Delete(temp); } catch (IOException) { }
    }

    // A safetensors entry of the archive, loaded from a temporary copy; the tensors are disposed with it.
    private sealed class ArchivedTensors : IDisposable
    {
        public ArchivedTensors(ZipArchive zip, string name, string path)
        {
            string temp = ExtractEntry(zip, name, path, ".safetensors");
            try { Tensors = NF.Safetensors.Load(temp, out var metadata); Metadata = metadata; }
            catch (InvalidDataException e) { throw new InvalidDataException($"'{path}', {name}: {e.Message}", e); }
            finally { DeleteTemporary(temp); }
        }

        public Dictionary<string, Tensor> Tensors { get; } = [];
        public IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();

        public void Dispose()
        {
            foreach (var t in Tensors.Values) t.Dispose();
        }
    }
}
