using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Saves the model (or its weights) after each epoch, or only when <paramref name="monitor"/>
    /// improves (<c>tf.keras.callbacks.ModelCheckpoint</c>). The path may name the epoch and any
    /// log: <c>"ckpt-{epoch:02d}-{val_loss:.3f}.keras"</c> (a Python format spec after the colon, as
    /// Keras writes it, or a .NET format such as <c>{epoch:00}</c>; epochs count from 1, as in Keras'
    /// file names). Missing directories of the path are created, as Keras does. Every write is atomic. With <paramref name="saveBestOnly"/>, an epoch without the
    /// monitored log (no validation data for "val_loss") saves nothing, with a warning to
    /// <see cref="NF.WarningLog"/> (once per run), as Keras 3.
    /// </summary>
    /// <param name="filepath">Where to save; with placeholders, one file per epoch.</param>
    /// <param name="monitor">The log that decides what is best.</param>
    /// <param name="saveBestOnly">Save only when <paramref name="monitor"/> improved on every earlier epoch.</param>
    /// <param name="saveWeightsOnly">Save with <see cref="Model.SaveWeights"/> (safetensors) instead of <see cref="Model.Save"/>.</param>
    /// <param name="mode">"min", "max", or "auto" (max for accuracies and AUC).</param>
    public sealed class ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, bool saveWeightsOnly = false, string mode = "auto")
        : Callback
    {
        private readonly string _filepath = !string.IsNullOrEmpty(filepath) ? filepath : throw new ArgumentException("ModelCheckpoint: filepath is empty.", nameof(filepath));
        private readonly Improvement _best = new(monitor, mode, nameof(ModelCheckpoint));

        /// <summary>The best value of the monitored log so far (NaN before any).</summary>
        public double Best => _best.Best;

        /// <inheritdoc/>
        public override void OnTrainBegin() => _best.Reset();

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (saveBestOnly)
            {
                // Keras 3: a missing log warns and saves nothing this epoch.
                if (_best.Current(logs, available =>
                        $"Can save best model only with {monitor} available, skipping. Available metrics are: {available}") is not { } current
                    || !_best.Improved(current)) return;
            }
            string path = FormatPath(_filepath, epoch + 1, logs);
            // Keras creates the file's directory ("runs/exp1/ckpt-{epoch}.keras"); failing here
            // would end the Fit after an epoch of training.
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
            if (saveWeightsOnly) Model!.SaveWeights(path);
            else Model!.Save(path);
        }

        // "{epoch:02d}" and "{val_loss:.4f}" (Python's specs), or "{epoch:00}" and "{val_loss:0.0000}" (.NET's).
        internal static string FormatPath(string template, int epoch, IReadOnlyDictionary<string, float> logs) =>
            Regex.Replace(template, @"\{(\w+)(?::([^}]*))?\}", m =>
            {
                string key = m.Groups[1].Value, format = m.Groups[2].Success ? m.Groups[2].Value : "";
                if (key == "epoch") return PythonFormatSpec.TryFormat(epoch, format, nameof(ModelCheckpoint)) ?? epoch.ToString(format, CultureInfo.InvariantCulture);
                if (logs.TryGetValue(key, out var v)) return PythonFormatSpec.TryFormat(v, format, nameof(ModelCheckpoint)) ?? v.ToString(format, CultureInfo.InvariantCulture);
                throw new InvalidOperationException($"ModelCheckpoint: the path '{template}' names '{key}', but the logs have {string.Join(", ", logs.Keys)} (and epoch).");
            });
    }

    /// <summary>
    /// Makes a killed <c>Fit</c> resumable (<c>tf.keras.callbacks.BackupAndRestore</c>): after each
    /// epoch it writes a checkpoint to <paramref name="backupDir"/> (weights, optimizer state,
    /// epoch, the position of NF.Random, which draws the shuffles and dropout masks, and that of
    /// each seeded layer's own generator, which draws its noise), and a
    /// <c>Fit</c> started with a checkpoint there restores it and continues from the next epoch,
    /// with the same numbers as an uninterrupted run. When training finishes the checkpoint is
    /// deleted, and the directory too when nothing else is in it (unless <paramref name="deleteCheckpoint"/> is false).
    /// </summary>
    public sealed class BackupAndRestore(string backupDir, bool deleteCheckpoint = true) : Callback
    {
        private readonly string _dir = !string.IsNullOrEmpty(backupDir) ? backupDir : throw new ArgumentException("BackupAndRestore: backupDir is empty.", nameof(backupDir));
        private int? _resume;

        private string CheckpointPath => Path.Combine(_dir, "checkpoint.nfmodel");

        internal override bool NeedsWeightsAtStart => true;
        internal override int? ResumeEpoch => _resume;

        /// <inheritdoc/>
        public override void OnTrainBegin()
        {
            _resume = null;
            Directory.CreateDirectory(_dir);
            if (!File.Exists(CheckpointPath)) return;
            var state = Model!.RestoreArchive(CheckpointPath)
                ?? throw new InvalidDataException($"'{CheckpointPath}' holds no training state: not a BackupAndRestore checkpoint.");
            try
            {
                NF.Random.State = (ulong.Parse(state["random_seed"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                                   state["random_offset"]!.GetValue<long>());
                _resume = state["epoch"]!.GetValue<int>() + 1;
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException or OverflowException)
            {
                throw new InvalidDataException($"'{CheckpointPath}': its training state is damaged ({e.Message}).", e);
            }
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            var (seed, offset) = NF.Random.State;
            Model!.WriteArchive(CheckpointPath, config: null, new JsonObject
            {
                ["epoch"] = epoch,
                ["random_seed"] = seed.ToString(CultureInfo.InvariantCulture),
                ["random_offset"] = offset,
            });
        }

        /// <inheritdoc/>
        public override void OnTrainEnd()
        {
            if (!deleteCheckpoint) return;
            if (File.Exists(CheckpointPath)) File.Delete(CheckpointPath);
            // Keras removes its backup directory; here only when nothing else is in it, so that a
            // directory the user also keeps other files in survives.
            if (Directory.Exists(_dir) && !Directory.EnumerateFileSystemEntries(_dir).Any()) Directory.Delete(_dir);
        }
    }

    /// <summary>Whether a monitored log improved (EarlyStopping's and ModelCheckpoint's shared rule).</summary>
    internal sealed class Improvement(string monitor, string mode, string owner, double minDelta = 0)
    {
        private readonly bool _maximize = mode switch
        {
            "max" => true,
            "min" => false,
            "auto" => Rising.Any(monitor.Contains),
            _ => throw new ArgumentException($"{owner}: mode must be \"min\", \"max\" or \"auto\", got \"{mode}\".", nameof(mode)),
        };

        // Keras 3's "auto" takes the direction of the monitored metric: up for the scores (accuracy,
        // AUC, precision, recall, F1/F-beta, IoU, R2), down for losses and errors. Matching only
        // "acc"/"auc" (Keras 2's rule) minimized a monitored precision or recall.
        private static readonly string[] Rising = ["acc", "auc", "precision", "recall", "f1_score", "fbeta_score", "io_u", "iou", "r2_score"];

        private bool _warned;

        /// <summary>The log this rule looks at.</summary>
        public string Monitor => monitor;

        public double Best { get; private set; } = double.NaN;

        /// <summary>Forgets the best value (and the warning) of an earlier run.</summary>
        public void Reset()
        {
            Best = double.NaN;
            _warned = false;
        }

        /// <summary>Whether <paramref name="current"/> is a new best (it becomes <see cref="Best"/> if so).</summary>
        public bool Improved(float current)
        {
            bool better = double.IsNaN(Best) || Beats(current, Best);
            if (better) Best = current;
            return better;
        }

        /// <summary>
        /// The monitored value in the epoch's logs, or null when the epoch has none (the default
        /// "val_loss" in a Fit without validation data). Keras 3 then warns and carries on instead of
        /// ending the run; <paramref name="warning"/> makes its text from the logs the epoch has
        /// (Keras' "loss,accuracy"). Written once per run, as Python shows a repeated warning once.
        /// </summary>
        public float? Current(IReadOnlyDictionary<string, float> logs, Func<string, string> warning)
        {
            if (logs.TryGetValue(monitor, out var current)) return current;
            if (!_warned) NF.Warn(warning(string.Join(",", logs.Keys)));
            _warned = true;
            return null;
        }

        /// <summary>Whether <paramref name="value"/> is better than <paramref name="reference"/> by more than the minimum delta.</summary>
        public bool Beats(double value, double reference) => _maximize ? value - minDelta > reference : value + minDelta < reference;
    }
}
