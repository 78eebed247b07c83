using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFlow.IO;
using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Keras;

public partial class Model
{
    // What a file name asks Save and SaveWeights for, as in Keras: ".keras" Keras 3's archive,
    // ".weights.h5" Keras 3's weights layout, ".h5" / ".hdf5" the legacy Keras 2 HDF5 layout.
    private enum KerasFile { None, Archive, Keras3Weights, LegacyH5 }

    private static KerasFile KerasFileOf(string path) =>
        path.EndsWith(".keras", StringComparison.OrdinalIgnoreCase) ? KerasFile.Archive
        : path.EndsWith(".weights.h5", StringComparison.OrdinalIgnoreCase) ? KerasFile.Keras3Weights
        : path.EndsWith(".h5", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".hdf5", StringComparison.OrdinalIgnoreCase) ? KerasFile.LegacyH5
        : KerasFile.None;

    /// <summary>
    /// Refuses a name whose format holds the other kind of file: weights alone under ".keras"
    /// (Keras 3's whole-model archive; Keras' save_weights and ModelCheckpoint(save_weights_only=True)
    /// raise ValueError for it) and a whole model under ".safetensors" (a file of tensors). Written
    /// anyway, neither Keras nor <see cref="Load(string, CustomObjects?)"/> (nor a safetensors reader) would open the file.
    /// <paramref name="instead"/> says how the caller asks for the other kind.
    /// </summary>
    internal static void CheckFileKind(string path, bool weightsOnly, string who, string instead, string paramName = "path")
    {
        if (weightsOnly && KerasFileOf(path) is KerasFile.Archive)
            throw new ArgumentException($"{who}: '{path}' names a whole-model file (.keras is Keras 3's model archive), but only the weights are saved; " +
                                        $"end the name in '.weights.h5' (Keras 3's weights file, as Keras requires) or '.safetensors', or {instead}.", paramName);
        if (!weightsOnly && path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{who}: '{path}' names a weights file (.safetensors holds tensors), but the whole model is saved; " +
                                        $"end the name in '.keras' (Keras 3's model file) or '.nfmodel', or {instead}.", paramName);
    }

    // The Keras version a .keras archive's metadata names: the format it follows (Keras 3's saving_lib).
    private const string ArchiveKerasVersion = "3.10.0";

    // NeuralFlow's own entries inside a .keras archive, which Keras ignores: the model's config as
    // NeuralFlow writes it (with where each weight lies in model.weights.h5), the optimizer's full
    // state, recurrent states and seeded generators, so that Load restores exactly what was saved.
    private const string OwnConfigEntry = "neuralflow/config.json";
    private const string OwnOptimizerEntry = "neuralflow/optimizer.safetensors";
    private const string OwnStatesEntry = "neuralflow/states.safetensors";
    private const string OwnStreamsEntry = "neuralflow/" + SeedGeneratorsEntry;
    private const string WeightPathsKey = "weight_paths";
    private const string ExactRateKey = "optimizer_learning_rate";

    /// <summary>
    /// Save to ".keras": the archive of Keras 3's <c>model.save</c> (metadata.json, config.json in
    /// Keras 3's form with its compile_config, model.weights.h5 in Keras 3's layout with the
    /// optimizer's variables under <c>optimizer/vars</c>), which Keras' <c>load_model</c> reads,
    /// plus NeuralFlow's own entries under <c>neuralflow/</c> for an exact <see cref="Load(string, CustomObjects?)"/>.
    /// </summary>
    private void WriteKerasArchive(string path, JsonObject config)
    {
        var keras = Keras3ConfigWriter.Model(this);
        if (config["compile_config"] is JsonObject compile) keras["compile_config"] = Keras3CompileConfig.Serialize(compile, _losses);
        var h5 = new Hdf5Writer();
        var paths = KerasH5Weights.WriteKeras3(this, h5.Root);
        // Keras' optimizer variables; NeuralFlow's own copy only where they are not the whole state.
        bool kerasHoldsOptimizer = _optimizer is not null && Keras3OptimizerState.Write(h5.Root, _optimizer, this);
        var variables = Variables;
        var own = (JsonObject)config.DeepClone();
        own[WeightPathsKey] = new JsonArray(variables.Select(v => (JsonNode)paths[v]).ToArray());
        var writeOptimizer = _optimizer is null || kerasHoldsOptimizer ? null : OptimizerState(_optimizer, variables);
        // Keras keeps the rate as float32; NeuralFlow's config keeps its exact digits.
        if (kerasHoldsOptimizer && _optimizer!.LearningRate.Constant is { } rate) own[ExactRateKey] = rate;
        var states = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var statesMetadata = new Dictionary<string, string>();
        AddStates(states, statesMetadata);
        var streams = StreamPositions();
        var metadata = new JsonObject
        {
            ["keras_version"] = ArchiveKerasVersion,
            ["date_saved"] = DateTime.Now.ToString("yyyy-MM-dd@HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["neuralflow"] = new JsonObject
            {
                ["format"] = ModelFormat,
                ["format_version"] = ModelFormatVersion,
                ["library_version"] = typeof(Model).Assembly.GetName().Version?.ToString(),
            },
        };
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntry(zip, "metadata.json", s => s.Write(JsonSerializer.SerializeToUtf8Bytes(metadata)), CompressionLevel.Optimal);
            WriteEntry(zip, "config.json", s => s.Write(JsonSerializer.SerializeToUtf8Bytes(keras)), CompressionLevel.Optimal);
            WriteEntry(zip, "model.weights.h5", h5.WriteTo, CompressionLevel.NoCompression);
            WriteEntry(zip, OwnConfigEntry, s => s.Write(JsonSerializer.SerializeToUtf8Bytes(own)), CompressionLevel.Optimal);
            if (writeOptimizer is not null) WriteEntry(zip, OwnOptimizerEntry, writeOptimizer, CompressionLevel.NoCompression);
            if (states.Count > 0) WriteEntry(zip, OwnStatesEntry, NF.Safetensors.Writer(states, statesMetadata), CompressionLevel.NoCompression);
            if (streams is not null) WriteEntry(zip, OwnStreamsEntry, s => s.Write(JsonSerializer.SerializeToUtf8Bytes(streams)), CompressionLevel.Optimal);
        });
    }

    // A .keras archive NeuralFlow wrote: its own config and state, the weights from model.weights.h5 by the paths it recorded.
    private static Model LoadOwnKerasArchive(ZipArchive zip, string path)
    {
        var metadata = ReadJson(zip, "metadata.json", path);
        if (metadata["neuralflow"]?["format_version"]?.GetValue<int>() is not { } version || version > ModelFormatVersion)
            throw new InvalidDataException($"'{path}' has NeuralFlow model format version {metadata["neuralflow"]?["format_version"]}; this library reads up to {ModelFormatVersion}: update NeuralFlow.");
        var config = ReadJson(zip, OwnConfigEntry, path);
        var model = FromOwnConfig(config, path, out var optimizer);
        // The optimizer's state from Keras' optimizer/vars when NeuralFlow kept no copy of its own (Save found them exact).
        var inFile = model.RestoreOwnKerasWeights(zip, path, config, then: optimizer is not null && zip.GetEntry(OwnOptimizerEntry) is null
            ? weights =>
            {
                Keras3OptimizerState.Restore(optimizer, model, weights, path);
                if (config[ExactRateKey] is JsonValue exact && optimizer.LearningRate.Constant is not null)
                    optimizer.LearningRate = exact.TryGetValue(out double rate) && double.IsFinite(rate) && rate >= 0 ? rate
                        : throw new InvalidDataException($"'{path}': {OwnConfigEntry} has an {ExactRateKey} that is not a finite rate >= 0.");
            }
            : null);
        model.RestoreOptimizerAndStreams(zip, path, optimizer, OwnOptimizerEntry, OwnStreamsEntry, inFile);
        return model;
    }

    // The weights of an archive NeuralFlow wrote, from model.weights.h5 at the paths its config
    // recorded (in this model's order: the same architecture), then what `then` reads from that file (the optimizer), and its recurrent states.
    // Returns the variables the file holds (all, or those of an older file: see VariablesInFile).
    private IReadOnlyList<Variable> RestoreOwnKerasWeights(ZipArchive zip, string path, JsonObject config, string method = "Load", Action<string>? then = null)
    {
        var all = Variables;
        var paths = (config[WeightPathsKey] as JsonArray)?.Select(p => p?.GetValue<string>()).ToArray();
        if (paths is null || VariablesInFile(all, paths.Length) is not { } variables || paths.Any(p => p is null))
            throw new InvalidDataException($"'{path}': {OwnConfigEntry} records {paths?.Length ?? 0} weight paths, and {Name} has {all.Count} weights: it was saved from another architecture.");
        string weightsFile = ExtractEntry(zip, "model.weights.h5", path, ".h5");
        try
        {
            using var h5 = Hdf5File.Open(weightsFile);
            var values = new Tensor[variables.Count];
            try
            {
                for (int i = 0; i < variables.Count; i++)
                {
                    var dataset = h5.Root.Get(paths[i]!) as Hdf5Dataset
                        ?? throw new InvalidDataException($"'{path}': model.weights.h5 has no dataset '{paths[i]}' for weight '{variables[i].Name}'.");
                    if (!dataset.Shape.Select(d => (int)d).SequenceEqual(variables[i].Shape.ToArray()))
                        throw new InvalidDataException($"'{path}': '{paths[i]}' in model.weights.h5 has shape ({string.Join(", ", dataset.Shape)}), weight '{variables[i].Name}' {variables[i].Shape}.");
                    values[i] = KerasH5Weights.ToTensor(dataset, variables[i].Shape);
                }
                for (int i = 0; i < variables.Count; i++) Layer.AssignConverted(variables[i], values[i]);
            }
            finally
            {
                foreach (var v in values) v?.Dispose();
            }
            then?.Invoke(weightsFile);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' (model.weights.h5): {e.Message}", e);
        }
        finally
        {
            DeleteTemporary(weightsFile);
        }
        if (zip.GetEntry(OwnStatesEntry) is not null)
        {
            using var states = new ArchivedTensors(zip, OwnStatesEntry, path);
            RestoreStates(method, states.Tensors, states.Metadata, path);
        }
        return variables;
    }

    /// <summary>
    /// Save to ".h5" / ".hdf5": the legacy Keras 2 whole-model file (legacy_h5_format.save_model_to_hdf5):
    /// root attributes <c>model_config</c> (the model's JSON as tf.keras writes it), <c>keras_version</c>
    /// and <c>backend</c>, the weights under <c>model_weights</c>, and for a compiled model
    /// <c>training_config</c> and the optimizer's variables under <c>optimizer_weights</c> (tf.keras 2.15's
    /// include_optimizer), for the optimizers tf.keras has.
    /// </summary>
    private void WriteLegacyH5(string path, JsonObject config)
    {
        var modelConfig = (JsonObject)config.DeepClone();
        modelConfig.Remove("compile_config");
        KerasH5Model.ToKeras2(modelConfig);
        var h5 = new Hdf5Writer();
        // Python strings, as h5py writes them (variable-length: a large model's JSON fits no header).
        h5.Root.VariableLengthAttribute("model_config", modelConfig.ToJsonString());
        h5.Root.VariableLengthAttribute("keras_version", KerasH5Weights.LegacyKerasVersion);
        h5.Root.VariableLengthAttribute("backend", "tensorflow");
        // What Compile was given, as Keras writes it (its compile config, the optimizer as optimizer_config).
        if (config["compile_config"] is JsonObject compile)
        {
            var training = Keras3CompileConfig.Serialize(compile, _losses);
            var optimizer = training["optimizer"]!.AsObject();
            training.Remove("optimizer");
            training["optimizer_config"] = new JsonObject { ["class_name"] = optimizer["class_name"]!.DeepClone(), ["config"] = optimizer["config"]!.DeepClone() };
            h5.Root.VariableLengthAttribute("training_config", training.ToJsonString());
            // The optimizer's variables as tf.keras keeps them (include_optimizer), for the optimizers it has.
            if (_optimizer is not null) KerasH5OptimizerWeights.Write(h5.Root, _optimizer, this);
        }
        KerasH5Weights.WriteLegacy(this, h5.Root.Group("model_weights"));
        AtomicFile.Write(path, h5.WriteTo);
    }

    // SaveWeights to a Keras HDF5 name: Keras 3's layout (".weights.h5") or the legacy one (".h5").
    private void SaveKerasWeights(string path, KerasFile kind)
    {
        var h5 = new Hdf5Writer();
        if (kind == KerasFile.Keras3Weights) KerasH5Weights.WriteKeras3(this, h5.Root);
        else KerasH5Weights.WriteLegacy(this, h5.Root);
        AtomicFile.Write(path, h5.WriteTo);
    }
}
