using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// Rebuilds a whole model from a legacy Keras 2 / tf.keras <c>model.save("x.h5")</c> file: the
/// architecture from the root attribute <c>model_config</c> (the JSON of <c>model.to_json()</c>,
/// keras/src/legacy/saving/legacy_h5_format.py save_model_to_hdf5), then the weights of its
/// <c>model_weights</c> group. Keras 2's config differs from Keras 3's in places NeuralFlow's
/// reader is strict about; those are translated here. The model comes back compiled from its
/// <c>training_config</c> when it has one, with the optimizer's variables of <c>optimizer_weights</c>
/// when it keeps them (else fresh slots), or uncompiled.
/// </summary>
internal static class KerasH5Model
{
    public static Model Load(string path)
    {
        string json;
        string? training;
        using (var file = Hdf5File.Open(path))
        {
            json = file.Root.Attributes.TryGetValue("model_config", out var config) && config is string text
                ? text
                : throw new InvalidDataException(
                    $"'{path}' is an HDF5 file without a 'model_config' attribute: it holds weights only (save_weights); build the model in C# and call LoadWeights.");
            training = file.Root.Attributes.TryGetValue("training_config", out var compiled) ? compiled as string : null;
        }
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}': its model_config is not JSON: {e.Message}", e); }
        if (node is not JsonObject entry) throw new InvalidDataException($"'{path}': its model_config is not a JSON object.");
        Translate(entry);
        var model = Model.FromEntry(entry, path);
        KerasH5Weights.Load(model, path);
        if (training is not null && Compile(model, training, path) && model.Optimizer is { } optimizer)
        {
            using var file = Hdf5File.Open(path);
            KerasH5OptimizerWeights.Restore(optimizer, model, file, path);
        }
        return model;
    }

    // training_config (legacy_h5_format / saving_utils.model_metadata): the compile arguments, the
    // optimizer as optimizer_config (its variables, when kept, are optimizer_weights: see
    // KerasH5OptimizerWeights). What does not rebuild here leaves the model uncompiled, with a
    // warning, as a file without training_config loads. Returns whether it compiled.
    private static bool Compile(Model model, string training, string path)
    {
        try
        {
            if (JsonNode.Parse(training) is not JsonObject compile || compile["optimizer_config"] is not JsonObject optimizer)
                throw new InvalidDataException("its training_config is not an object with an optimizer_config");
            // tf.keras names a registered optimizer "Custom>Adam" or "keras.optimizers.Adam".
            string name = optimizer["class_name"]?.GetValue<string>() ?? "";
            optimizer["class_name"] = name[(Math.Max(name.LastIndexOf('>'), name.LastIndexOf('.')) + 1)..];
            compile.Remove("optimizer_config");
            compile["optimizer"] = optimizer.DeepClone();
            model.CompileKeras3(compile, path);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or InvalidOperationException or FormatException)
        {
            NF.Warn($"Load: '{path}' loads uncompiled: its training_config does not rebuild here ({e.Message}); call Compile before training.");
            return false;
        }
    }

    /// <summary>
    /// NeuralFlow's model config (Keras 2's form) as tf.keras writes it in a whole-model .h5: the
    /// calls of nested models built from an InputLayer numbered from 1, as <see cref="Translate"/> reads them.
    /// </summary>
    internal static void ToKeras2(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o.ToList()) ToKeras2(child);
                if (o["class_name"]?.GetValue<string>() == "Functional" && o["config"] is JsonObject model) NestedModelCalls.Shift(model, BuiltFromInput, by: +1);
                break;
            case JsonArray a:
                foreach (var child in a) ToKeras2(child);
                break;
        }
    }

    // Keras 2 writes BatchNormalization's axis as a list once built ([3]); Keras 3, and NeuralFlow, an int.
    // Its functional configs count the calls of a nested model that was built from an InputLayer
    // (a Functional, or a Sequential whose first layer is one) from 1: tf.keras' _should_skip_first_node.
    private static void Translate(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["class_name"]?.GetValue<string>() == "BatchNormalization" && o["config"] is JsonObject c
                    && c["axis"] is JsonArray { Count: 1 } axis)
                    c["axis"] = axis[0]!.DeepClone();
                if (o["class_name"]?.GetValue<string>() == "Functional" && o["config"] is JsonObject model) NestedModelCalls.Shift(model, BuiltFromInput);
                foreach (var (_, child) in o.ToList()) Translate(child);
                break;
            case JsonArray a:
                foreach (var child in a) Translate(child);
                break;
        }
    }

    // tf.keras 2's _should_skip_first_node: a Functional, or a Sequential whose first layer is an InputLayer.
    private static bool BuiltFromInput(JsonObject layer) => layer["class_name"]?.GetValue<string>() switch
    {
        "Functional" => true,
        "Sequential" => layer["config"]?["layers"] is JsonArray { Count: > 0 } inner && inner[0]?["class_name"]?.GetValue<string>() == "InputLayer",
        _ => false,
    };
}
