using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// A model from the <c>.keras</c> archive of Keras 3's <c>model.save</c>
    /// (keras/src/saving/saving_lib.py): config.json (the model's serialized config, with its
    /// compile_config), model.weights.h5 (the layers' variables, and the optimizer's under
    /// <c>optimizer/vars</c>). The architecture is rebuilt from the config, the weights assigned as
    /// <see cref="LoadWeights"/> does for a Keras 3 <c>.weights.h5</c>, and a compiled model is
    /// compiled again with its optimizer state when NeuralFlow keeps the same slots (Adam, AdamW,
    /// SGD; for the others training resumes with fresh slots, as Keras warns when it skips them).
    /// </summary>
    private static Model LoadKeras3(ZipArchive zip, string path)
    {
        if (zip.GetEntry(OwnConfigEntry) is not null) return LoadOwnKerasArchive(zip, path);
        var entry = ReadJson(zip, "config.json", path);
        var className = entry["class_name"]?.GetValue<string>();
        if (className is not ("Sequential" or "Functional"))
            throw new InvalidDataException(
                $"'{path}' is a Keras 3 model of class '{className}', a subclassed model whose structure is Python code: build it in C# and load its weights with LoadWeights (from model.save_weights(\"x.weights.h5\")).");
        Keras3Config.Translate(entry, path);
        var model = FromEntry(entry, path);
        LoadKeras3Weights(model, zip, path, weights =>
        {
            if (entry["compile_config"] is JsonObject compile && compile.Count > 0 && model.CompileKeras3(compile, path) is { } optimizer)
                Keras3OptimizerState.Restore(optimizer, model, weights, path);
        });
        return model;
    }

    // The archive's model.weights.h5 into model's layers (as LoadWeights reads a Keras 3
    // .weights.h5), then, while the copy exists, what `then` reads from it.
    private static void LoadKeras3Weights(Model model, ZipArchive zip, string path, Action<string>? then = null)
    {
        if (zip.GetEntry("model.weights.h5") is null)
            throw new InvalidDataException(
                zip.GetEntry("model.weights.npz") is null
                    ? $"'{path}' lacks model.weights.h5: a damaged .keras archive."
                    : $"'{path}' keeps its weights in model.weights.npz (Keras' weights_format=\"npz\"); NeuralFlow reads the default, \"h5\".");
        string weights = ExtractEntry(zip, "model.weights.h5", path, ".h5");
        try
        {
            try { KerasH5Weights.Load(model, weights); }
            catch (InvalidDataException e) { throw new InvalidDataException(e.Message.Replace(weights, $"{path} (model.weights.h5)", StringComparison.Ordinal), e); }
            then?.Invoke(weights);
        }
        finally
        {
            DeleteTemporary(weights);
        }
    }

    // Keras 3's compile_config (trainer.py: the optimizer, loss, loss_weights, metrics and
    // weighted_metrics passed to compile, each serialized) into Compile. Returns the optimizer, or
    // null when the model was compiled without a loss (nothing to train with here).
    internal Optimizers.Optimizer? CompileKeras3(JsonObject compile, string path)
    {
        if (compile["loss"] is null) return null;
        var optimizer = Keras3CompileConfig.Optimizer(compile["optimizer"], path);
        var losses = Keras3CompileConfig.Losses(compile["loss"], OutputNames, path);
        var weights = Keras3CompileConfig.LossWeights(compile["loss_weights"], OutputNames, path);
        var metrics = Keras3CompileConfig.Metrics(compile["metrics"], OutputNames, path);
        var weighted = Keras3CompileConfig.Metrics(compile["weighted_metrics"], OutputNames, path);
        try
        {
            CompileOutputs(optimizer, losses, weights, metrics, CompileConfig.RunEagerly(compile), weighted,
                stepsPerExecution: CompileConfig.StepsPerExecution(compile), jitCompile: CompileConfig.JitCompile(compile));
        }
        catch (ArgumentException e) { throw new InvalidDataException($"'{path}': its compile_config does not compile this model: {e.Message}", e); }
        return optimizer;
    }
}
