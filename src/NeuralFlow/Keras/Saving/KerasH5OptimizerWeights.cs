using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// The optimizer state of a legacy whole-model .h5 (<c>model.save("x.h5")</c> with
/// include_optimizer, legacy_h5_format.save_optimizer_weights_to_hdf5_group): a group
/// <c>optimizer_weights</c> whose attribute <c>weight_names</c> lists the optimizer's variables in
/// the order it made them, a dataset at each name. Keras loads it by that order
/// (<c>optimizer.set_weights</c> after building the optimizer for the model's trainable variables);
/// which order, the first name tells: <c>iter:0</c> (tf.keras' OptimizerV2, up to TF 2.10),
/// <c>iteration:0</c> (tf.keras 2.11 to 2.15), <c>adam/iteration</c> (Keras 3's variable paths).
/// </summary>
internal static class KerasH5OptimizerWeights
{
    private const string Group = "optimizer_weights";

    /// <summary>Restores the compiled <paramref name="optimizer"/> from the file's optimizer_weights, if it has them.</summary>
    public static void Restore(Optimizers.Optimizer optimizer, Model model, Hdf5File h5, string path)
    {
        if (h5.Root.Group(Group) is not { } group) return;
        var names = KerasH5Weights.Strings(group, "weight_names", path);
        if (names.Length == 0) return;
        string first = names[0].EndsWith(":0", StringComparison.Ordinal) ? names[0][..^2] : names[0];
        Keras3OptimizerState.SavedBy? savedBy = first switch
        {
            "iteration" => Keras3OptimizerState.SavedBy.TfKeras,
            "iter" => Keras3OptimizerState.SavedBy.TfKerasLegacy,
            _ when first.EndsWith("/iter", StringComparison.Ordinal) => Keras3OptimizerState.SavedBy.TfKerasLegacy,
            _ when first.EndsWith("/iteration", StringComparison.Ordinal) => Keras3OptimizerState.SavedBy.Keras3,
            _ => null,
        };
        if (savedBy is null)
        {
            NF.Warn($"Load: the optimizer state in '{path}' is not restored (its first variable '{names[0]}' is no iteration count of a Keras optimizer NeuralFlow knows); training resumes with fresh slots.");
            return;
        }
        var vars = names.Select(n => group.Get(n) as Hdf5Dataset ?? throw new InvalidDataException(
            $"Load: '{path}' lists optimizer weight '{n}' in optimizer_weights/weight_names but holds no dataset there.")).ToList();
        Keras3OptimizerState.Restore(optimizer, model, vars, path, savedBy.Value);
    }

    /// <summary>
    /// Writes <paramref name="optimizer"/>'s variables as tf.keras 2.15 does (the Keras version the
    /// legacy file names): <c>iteration:0</c>, then each slot as <c>Adam/m/dense/kernel:0</c> in its
    /// build order, so that tf.keras' load_model resumes it. Nothing for an optimizer tf.keras does
    /// not have or whose state is more than its slots (moving averages): tf.keras then starts fresh.
    /// </summary>
    public static void Write(Hdf5Writer.GroupNode root, Optimizers.Optimizer optimizer, Model model)
    {
        if (Keras3OptimizerState.Layout(optimizer, Keras3OptimizerState.SavedBy.TfKeras) is not { } layout || SlotNames(optimizer) is not { } slotNames) return;
        var trainable = KerasH5Weights.TrainableInKerasOrder(model).ToList();
        if (model.Variables.Any(v => optimizer.AverageOf(v) is not null)) return;
        if (!Keras3OptimizerState.SlotsOf(optimizer, model, trainable, layout, out var slots)) return;
        var values = new List<(string Name, Action<Hdf5Writer.GroupNode, string> Write)>
        {
            ("iteration:0", (g, n) => g.Dataset(n, Hdf5Element.Int64, [], s => s.Write(BitConverter.GetBytes(optimizer.Iterations)))),
        };
        string prefix = optimizer.GetType().Name;
        if (slots.Count > 0)
            foreach (var run in layout.Runs)
                for (int v = 0; v < trainable.Count; v++)
                    foreach (int slot in run)
                    {
                        var value = slots[v][slot];
                        values.Add(($"{prefix}/{slotNames[slot]}/{trainable[v].Name}:0", (g, n) => g.Dataset(n, value)));
                    }
        var names = values.Select(v => v.Name).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length) return;  // two weights named alike: tf.keras could not tell them apart either
        var group = root.Group(Group);
        KerasH5Weights.Names(group, "weight_names", names);
        foreach (var (path, write) in values)
        {
            var (parent, name) = KerasH5Weights.At(group, path);
            write(parent, name);
        }
    }

    // tf.keras 2.11+'s slot names (add_variable_from_reference's variable_name), by NeuralFlow slot index.
    private static string[]? SlotNames(Optimizers.Optimizer optimizer) => optimizer switch
    {
        Optimizers.Adam => ["m", "v", "vhat"],
        Optimizers.SGD or Optimizers.Lion => ["m"],
        Optimizers.RMSprop => ["velocity", "momentum", "average_gradient"],
        Optimizers.Adagrad => ["accumulator"],
        Optimizers.Adamax => ["m", "u"],
        Optimizers.Nadam => ["m", "v"],
        Optimizers.Adadelta => ["accumulated_grad", "accumulated_delta_var"],
        Optimizers.Ftrl => ["accumulator", "linear"],
        _ => null,
    };
}
