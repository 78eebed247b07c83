using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Saves the model (or its weights) after each epoch, or every <paramref name="saveFreq"/>
    /// training batches, or only when <paramref name="monitor"/> improves
    /// (<c>keras.callbacks.ModelCheckpoint</c>). The path may name the epoch, the batch and any
    /// log: <c>"ckpt-{epoch:02d}-{val_loss:.3f}.keras"</c> (a Python format spec after the colon, as
    /// Keras writes it, or a .NET format such as <c>{epoch:00}</c>; epochs and batches count from 1,
    /// as in Keras' file names). Missing directories of the path are created, as Keras does. Every
    /// write is atomic. With <paramref name="saveBestOnly"/>, a save point without the monitored log
    /// (no validation data for "val_loss", or any "val_" log at a batch-level save, whose logs are
    /// the batch's running training ones) warns to <see cref="NF.WarningLog"/> (once per run) and
    /// saves, as Keras 3.10 and later do (earlier versions skipped the save, so a checkpoint whose
    /// monitor never appears left nothing behind).
    /// </summary>
    /// <param name="filepath">Where to save; with placeholders, one file per epoch (or batch).</param>
    /// <param name="monitor">The log that decides what is best.</param>
    /// <param name="saveBestOnly">Save only when <paramref name="monitor"/> improved on every earlier save point.</param>
    /// <param name="saveWeightsOnly">
    /// Save with <see cref="Model.SaveWeights"/> (".weights.h5" Keras 3's weights, ".h5" Keras 2's, else safetensors)
    /// instead of <see cref="Model.Save"/>. A path ending in ".keras" with weights only, or in ".safetensors"
    /// without, is refused here (Keras raises ValueError for the first): the file would be of the other kind.
    /// </param>
    /// <param name="mode">"min", "max", or "auto" (max for accuracies and AUC).</param>
    /// <param name="verbose">0 silent; 1 writes a line to the console when the callback saves or decides not to, as Keras' verbose=1.</param>
    /// <param name="saveFreq">
    /// Keras' save_freq: "epoch" (or null, the default) saves at each epoch end; a positive number N
    /// saves after every N training batches, counted across epochs (a save point need not fall
    /// on an epoch's end), with the batch's running logs.
    /// </param>
    /// <param name="initialValueThreshold">
    /// Keras' initial_value_threshold: with <paramref name="saveBestOnly"/>, the value the monitored
    /// log must beat for the first save (the starting "best" of each Fit); null for none.
    /// </param>
    public sealed class ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, bool saveWeightsOnly = false, string mode = "auto",
        int verbose = 0, object? saveFreq = null, double? initialValueThreshold = null)
        : Callback
    {
        private readonly string _filepath = !string.IsNullOrEmpty(filepath) ? CheckedKind(filepath, saveWeightsOnly) : throw new ArgumentException("ModelCheckpoint: filepath is empty.", nameof(filepath));
        private readonly Improvement _best = new(monitor, mode, nameof(ModelCheckpoint));

        // Keras checks the name against saveWeightsOnly when the callback is made, not after an
        // epoch of training: weights under ".keras" or a whole model under ".safetensors" are refused.
        private static string CheckedKind(string filepath, bool weightsOnly)
        {
            // tf.keras 2 wrote a SavedModel directory there (the checkpoint guide passes tempfile.mkdtemp());
            // Keras 3 refuses the name. Saving a file over a directory failed only after the first epoch.
            if (Directory.Exists(filepath) || filepath.EndsWith(Path.DirectorySeparatorChar) || filepath.EndsWith(Path.AltDirectorySeparatorChar))
                throw new ArgumentException($"ModelCheckpoint: '{filepath}' is a directory, but the callback saves {(weightsOnly ? "weights" : "the model")} to a file; " +
                                            $"name a file in it, e.g. '{Path.Combine(filepath, weightsOnly ? "ckpt-{epoch:02d}.weights.h5" : "ckpt-{epoch:02d}.keras")}'.", nameof(filepath));
            Model.CheckFileKind(filepath, weightsOnly, nameof(ModelCheckpoint), weightsOnly ? "pass saveWeightsOnly: false" : "pass saveWeightsOnly: true", nameof(filepath));
            return filepath;
        }

        private readonly BatchSaveCounter _batches = new(saveFreq, nameof(ModelCheckpoint));

        // The value a first save must beat (NaN: none), as Improvement.Reset takes it.
        private readonly double _threshold = initialValueThreshold is not double.NaN ? initialValueThreshold ?? double.NaN
            : throw new ArgumentException("ModelCheckpoint: initialValueThreshold is NaN; give a number the monitored value must beat, or null for none.", nameof(initialValueThreshold));

        private readonly int _verbose = verbose >= 0 ? verbose : throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "ModelCheckpoint: verbose must be 0 (silent) or 1 (a line per save).");

        private int _epoch;

        /// <summary>The path template the callback saves to, as given (Keras' <c>filepath</c>).</summary>
        public string Filepath => _filepath;

        /// <summary>The best value of the monitored log so far (before any: the initialValueThreshold, or NaN without one).</summary>
        public double Best => _best.Best;

        /// <summary>Batches between saves (Keras' save_freq as a number), or 0 when saving at epoch ends.</summary>
        public int SaveEvery => _batches.Every;

        /// <inheritdoc/>
        public override void OnTrainBegin()
        {
            _best.Reset(_threshold);
            _batches.Reset();
        }

        /// <inheritdoc/>
        public override void OnEpochBegin(int epoch) => _epoch = epoch;

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (_batches.Every == 0) Save(epoch, batch: null, logs);
        }

        /// <inheritdoc/>
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (_batches.Count(batch)) Save(_epoch, batch, logs);
        }

        // Fit reads the batch's logs only for a batch that saves.
        internal override bool WantsLogsAfter(int step) => _batches.SavesAfter(step - 1);

        internal override void OnBatchEndWithoutLogs(int batch) => _batches.Count(batch);

        // Keras' _save_model and _should_save_model; batch is null at an epoch-level save.
        private void Save(int epoch, int? batch, IReadOnlyDictionary<string, float> logs)
        {
            string path = FormatPath(_filepath, epoch + 1, logs, batch + 1);
            if (saveBestOnly)
            {
                double before = _best.Best;
                // Keras 3.10+ (model_checkpoint.py's _should_save_model): a missing log warns and saves.
                if (_best.Current(logs, _ => $"Can save best model only with {monitor} available.") is not { } current)
                {
                    SaveTo(epoch, path);
                    return;
                }
                string from = double.IsNaN(before) ? "None" : before.ToString("F5", CultureInfo.InvariantCulture);
                if (!_best.Improved(current))
                {
                    Say($"Epoch {epoch + 1}: {monitor} did not improve from {from}");
                    return;
                }
                Say($"Epoch {epoch + 1}: {monitor} improved from {from} to {current.ToString("F5", CultureInfo.InvariantCulture)}, saving model to {path}");
            }
            else Say($"Epoch {epoch + 1}: saving model to {path}");
            SaveTo(epoch, path);
        }

        private void SaveTo(int epoch, string path)
        {
            // Keras creates the file's directory ("runs/exp1/ckpt-{epoch}.keras"); failing here
            // would end the Fit after an epoch of training.
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
            if (saveWeightsOnly) Model!.SaveWeights(path);
            else Model!.Save(path);
            Say($"Epoch {epoch + 1}: finished saving model to {path}");
        }

        // Keras' io_utils.print_msg of verbose=1, which starts each message on a new line.
        private void Say(string message)
        {
            if (_verbose > 0) Console.WriteLine(Environment.NewLine + message);
        }

        // "{epoch:02d}" and "{val_loss:.4f}" (Python's specs), or "{epoch:00}" and "{val_loss:0.0000}"
        // (.NET's). "{batch}" is the 1-based batch of a batch-level save, as Keras (unless a log is
        // named "batch", which then wins, as in Keras).
        internal static string FormatPath(string template, int epoch, IReadOnlyDictionary<string, float> logs, int? batch = null) =>
            Regex.Replace(template, @"\{(\w+)(?::([^}]*))?\}", m =>
            {
                string key = m.Groups[1].Value, format = m.Groups[2].Success ? m.Groups[2].Value : "";
                if (key == "epoch") return Counter(epoch, format);
                if (logs.TryGetValue(key, out var v)) return PythonFormatSpec.TryFormat(v, format, nameof(ModelCheckpoint)) ?? v.ToString(format, CultureInfo.InvariantCulture);
                if (key == "batch" && batch is { } b) return Counter(b, format);
                throw new InvalidOperationException($"ModelCheckpoint: the path '{template}' names '{key}', but the logs have {string.Join(", ", logs.Keys)} (and epoch{(batch is null ? "; batch only when saveFreq is a number of batches" : ", batch")}).");
            });

        private static string Counter(int value, string format) =>
            PythonFormatSpec.TryFormat(value, format, nameof(ModelCheckpoint)) ?? value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Makes a killed <c>Fit</c> resumable (<c>keras.callbacks.BackupAndRestore</c>): after each
    /// epoch (or every <paramref name="saveFreq"/> training batches) it writes a checkpoint to
    /// <paramref name="backupDir"/> (weights, optimizer state, where the Fit is, the position of
    /// NF.Random, which draws the shuffles and dropout masks, and that of each seeded layer's own
    /// generator, which draws its noise), and a <c>Fit</c> started with a checkpoint there
    /// restores it and continues from where it was taken, with the same numbers as an
    /// uninterrupted run. When training finishes the checkpoint is deleted, and the directory
    /// too when nothing else is in it (unless <paramref name="deleteCheckpoint"/> is false).
    /// </summary>
    /// <param name="backupDir">The directory, made if missing, where the callback alone keeps its checkpoint.</param>
    /// <param name="saveFreq">
    /// Keras' save_freq: "epoch" (or null, the default) checkpoints at each epoch's end; a positive
    /// number N after every N training batches, counted across epochs. A Fit resumed from a
    /// checkpoint taken mid-epoch continues that epoch at the next batch (as tf.keras 2 does; Keras
    /// 3 restarts the epoch), in the same shuffled order, with the epoch's running loss and metrics.
    /// </param>
    /// <param name="doubleCheckpoint">Keras' double_checkpoint: keep the previous checkpoint too, and restore it when the latest cannot be read.</param>
    /// <param name="deleteCheckpoint">Delete the checkpoint when training finishes (Keras' delete_checkpoint).</param>
    public sealed class BackupAndRestore(string backupDir, object? saveFreq = null, bool doubleCheckpoint = false, bool deleteCheckpoint = true) : Callback
    {
        private readonly string _dir = !string.IsNullOrEmpty(backupDir) ? backupDir : throw new ArgumentException("BackupAndRestore: backupDir is empty.", nameof(backupDir));
        private readonly BatchSaveCounter _batches = new(saveFreq, nameof(BackupAndRestore));
        private FitPosition? _resume;

        private string CheckpointPath => Path.Combine(_dir, "checkpoint.nfmodel");

        // Keras' "<weights>.bkp": the checkpoint before the latest, kept with doubleCheckpoint.
        private string PreviousPath => CheckpointPath + ".bkp";

        internal override bool NeedsWeightsAtStart => true;
        internal override FitPosition? ResumePosition => _resume;

        /// <inheritdoc/>
        public override void OnTrainBegin()
        {
            _resume = null;
            _batches.Reset();
            // Directory.CreateDirectory's own error for a file of that name says only that it exists.
            if (File.Exists(_dir))
                throw new IOException($"BackupAndRestore: backupDir '{_dir}' is a file; give the name of a directory (made if missing) where the callback alone keeps its checkpoint.");
            Directory.CreateDirectory(_dir);
            if (!File.Exists(CheckpointPath)) return;
            try { _resume = Restore(CheckpointPath); }
            catch (InvalidDataException e) when (doubleCheckpoint && File.Exists(PreviousPath))
            {
                // Keras: the latest cannot be read, so the one before it is restored (and becomes the latest).
                NF.Warn($"BackupAndRestore: the checkpoint '{CheckpointPath}' cannot be restored ({e.Message}); restoring the previous one, '{PreviousPath}'.");
                File.Copy(PreviousPath, CheckpointPath, overwrite: true);
                _resume = Restore(CheckpointPath);
            }
        }

        private FitPosition Restore(string path)
        {
            JsonObject? state;
            try { state = Model!.RestoreArchive(path); }
            catch (InvalidDataException e)
            {
                // Keras raises too (an OSError from h5py); here the message says how to go on.
                throw new InvalidDataException($"BackupAndRestore: the checkpoint '{path}' cannot be restored ({e.Message}). " +
                                               "Delete it (or the backup directory) to train from the start.", e);
            }
            if (state is null) throw new InvalidDataException($"'{path}' holds no training state: not a BackupAndRestore checkpoint.");
            try
            {
                NF.Random.State = FitPosition.ReadRandom(state, "random_");
                if (FitPosition.ReadOpSeeds(state, "random_") is { } opSeeds) NF.Random.OpSeedState = opSeeds;
                // A checkpoint of an earlier version knows only the last epoch it finished.
                return state["position"] is JsonObject position ? FitPosition.FromJson(position)
                    : new FitPosition { Epoch = state["epoch"]!.GetValue<int>() + 1 };
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException or OverflowException or ArgumentException)
            {
                throw new InvalidDataException($"'{path}': its training state is damaged ({e.Message}).", e);
            }
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (_batches.Every == 0) Save();
        }

        /// <inheritdoc/>
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => OnBatchEndWithoutLogs(batch);

        // The checkpoint needs no logs: the running metrics go in as their state. Under a
        // DataParallel strategy a mid-epoch checkpoint holds those of every rank's examples
        // (summed, as the logs are), which the ranks compute together where one reads the
        // global logs: so this asks for them after each step it saves at.
        internal override bool WantsLogsAfter(int step) => Distributed.DataParallel.Current is { WorldSize: > 1 } && _batches.SavesAfter(step - 1);

        internal override void OnBatchEndWithoutLogs(int batch)
        {
            if (_batches.Count(batch)) Save();
        }

        private void Save()
        {
            var position = Model!.FitPositionNow() ?? throw new InvalidOperationException("BackupAndRestore saves only during Fit.");
            if (doubleCheckpoint && File.Exists(CheckpointPath)) File.Copy(CheckpointPath, PreviousPath, overwrite: true);
            var state = new JsonObject { ["epoch"] = position.Epoch - 1 }; // the last epoch finished, which is what earlier versions read
            FitPosition.WriteRandom(state, "random_", NF.Random.State);
            FitPosition.WriteOpSeeds(state, "random_", NF.Random.OpSeedState);
            state["position"] = position.ToJson();
            Model.WriteArchive(CheckpointPath, config: null, state);
        }

        /// <inheritdoc/>
        public override void OnTrainEnd()
        {
            if (!deleteCheckpoint) return;
            foreach (var path in new[] { CheckpointPath, PreviousPath })
                if (File.Exists(path)) File.Delete(path);
            // Keras removes its backup directory; here only when nothing else is in it, so that a
            // directory the user also keeps other files in survives.
            if (Directory.Exists(_dir) && !Directory.EnumerateFileSystemEntries(_dir).Any()) Directory.Delete(_dir);
        }
    }

    /// <summary>
    /// Keras' save_freq as a number of batches, counted across epochs (ModelCheckpoint's and
    /// BackupAndRestore's <c>_should_save_on_batch</c>): "epoch" or null is 0, saving at epoch ends.
    /// </summary>
    internal sealed class BatchSaveCounter(object? saveFreq, string owner)
    {
        /// <summary>Batches between saves, or 0 when saving at epoch ends.</summary>
        public int Every { get; } = saveFreq switch
        {
            null or "epoch" => 0,
            int n when n > 0 => n,
            int n => throw new ArgumentOutOfRangeException(nameof(saveFreq), n, $"{owner}: saveFreq must be \"epoch\" or a positive number of batches, got {n}."),
            // Keras: an unrecognized save_freq is a ValueError.
            _ => throw new ArgumentException($"{owner}: unrecognized saveFreq {(saveFreq is string text ? $"\"{text}\"" : $"{saveFreq} ({saveFreq.GetType().Name})")}; expected \"epoch\" or a positive number of batches (an int).", nameof(saveFreq)),
        };

        // Keras' _batches_seen_since_last_saving and _last_batch_seen.
        private int _sinceSave;
        private int? _lastBatch;

        public void Reset()
        {
            _sinceSave = 0;
            _lastBatch = null;
        }

        /// <summary>Whether <see cref="Count"/> of batch <paramref name="batch"/> (0-based) would say to save; changes nothing.</summary>
        public bool SavesAfter(int batch) => Every > 0 && After(batch) >= Every;

        /// <summary>Counts batch <paramref name="batch"/> (0-based) as done; true when a save is due.</summary>
        public bool Count(int batch)
        {
            if (Every == 0) return false;
            _sinceSave = After(batch);
            _lastBatch = batch;
            if (_sinceSave < Every) return false;
            _sinceSave = 0;
            return true;
        }

        // A batch index not past the last one seen starts a new epoch and counts batch + 1;
        // otherwise the batches since the last one seen count.
        private int After(int batch) => _sinceSave + (_lastBatch is not { } last || batch <= last ? batch + 1 : batch - last);
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

        /// <summary>Forgets the best value (and the warning) of an earlier run; <paramref name="initial"/> is the value to beat (NaN: none).</summary>
        public void Reset(double initial = double.NaN)
        {
            Best = initial;
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
