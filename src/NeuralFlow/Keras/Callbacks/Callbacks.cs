namespace NeuralFlow.Keras;

/// <summary>Hooks into <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> (<c>tf.keras.callbacks</c>). One partial file per callback.</summary>
public static partial class Callbacks
{
    /// <summary>
    /// Stops training when <paramref name="monitor"/> has not improved for <paramref name="patience"/>
    /// epochs (<c>keras.callbacks.EarlyStopping</c>, Keras 3's rule): an epoch that does not improve
    /// counts one; training stops at the epoch where the count reaches the patience (never at
    /// epoch 0), so patience 3 after a best first epoch runs 4 epochs. With
    /// <paramref name="restoreBestWeights"/> the best epoch's weights are put back when training
    /// ends, stopped early or not. With a <paramref name="baseline"/>, an improvement restarts the
    /// count only if it also beats the baseline, so training stops after <paramref name="patience"/>
    /// epochs that never reach it. Epochs before <paramref name="startFromEpoch"/> (a warm-up) are
    /// not looked at. <paramref name="minDelta"/> counts by its size, as Keras takes its absolute value.
    /// An epoch without the monitored log (the default "val_loss" in a Fit without validation data)
    /// is not looked at either, with a warning to <see cref="NF.WarningLog"/> (once per run), as Keras 3.
    /// <paramref name="verbose"/> 1 prints Keras' lines when training ends: "Epoch 12: early stopping"
    /// and, when weights are restored, "Restoring model weights from the end of the best epoch: 7.".
    /// </summary>
    public sealed class EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto",
        bool restoreBestWeights = false, double? baseline = null, int startFromEpoch = 0, int verbose = 0) : Callback
    {
        private readonly int _verbose = verbose >= 0 ? verbose
            : throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "EarlyStopping: verbose must be 0 (silent) or 1 (a line when training stops).");
        private readonly Improvement _best = new(monitor, mode, nameof(EarlyStopping), Math.Abs(minDelta));
        private int _wait;
        private Tensor[]? _bestWeights;

        /// <summary>The epoch at which training was stopped, or -1.</summary>
        public int StoppedEpoch { get; private set; } = -1;

        /// <summary>The epoch of the best monitored value so far, or -1 (Keras' <c>best_epoch</c>).</summary>
        public int BestEpoch { get; private set; } = -1;

        /// <inheritdoc/>
        public override void OnTrainBegin()
        {
            _best.Reset();
            _wait = 0;
            StoppedEpoch = -1;
            BestEpoch = -1;
            KeepBestWeights(null); // a reused callback never restores another run's weights
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            // A missing log (Keras 3: a warning) is neither counted nor kept, as the warm-up.
            if (_best.Current(logs, available =>
                    $"Early stopping conditioned on metric `{monitor}` which is not available. Available metrics are: {available}") is not { } current
                || epoch < startFromEpoch) return;
            _wait++;
            if (_best.Improved(current))
            {
                BestEpoch = epoch;
                if (restoreBestWeights)
                    KeepBestWeights(Model!.Variables.Select(v => (Tensor)new Variable(v, trainable: false)).ToArray()); // copies
                if (baseline is not { } b || _best.Beats(_best.Best, b)) _wait = 0;
                return;
            }
            if (_wait >= patience && epoch > 0)
            {
                StoppedEpoch = epoch;
                Model!.StopTraining = true;
            }
        }

        /// <inheritdoc/>
        public override void OnTrainEnd()
        {
            // Keras' io_utils.print_msg lines, in its order and its 1-based epochs.
            if (StoppedEpoch > 0 && _verbose > 0) Console.WriteLine($"Epoch {StoppedEpoch + 1}: early stopping");
            if (restoreBestWeights && _bestWeights is not null)
            {
                if (_verbose > 0) Console.WriteLine($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
                foreach (var (v, w) in Model!.Variables.Zip(_bestWeights)) v.Assign(w);
            }
        }

        private void KeepBestWeights(Tensor[]? weights)
        {
            foreach (var w in _bestWeights ?? []) w.Dispose();
            _bestWeights = weights;
        }
    }

    /// <summary>
    /// Stops training as soon as the loss is NaN or infinite (<c>keras.callbacks.TerminateOnNaN</c>):
    /// by default gracefully (<see cref="Model.StopTraining"/>: the epoch ends, its callbacks run,
    /// then OnTrainEnd, so a <see cref="BackupAndRestore"/> writes the NaN weights and then deletes
    /// its checkpoint). With <paramref name="raiseError"/> it throws at once instead, as Keras'
    /// <c>raise_error=True</c>: no epoch end and no OnTrainEnd run, so the last good backup is kept
    /// for a rerun (with a lower learning rate, say).
    /// </summary>
    /// <param name="raiseError">Throw an <see cref="ArithmeticException"/> (Keras' RuntimeError) instead of stopping gracefully.</param>
    public sealed class TerminateOnNaN(bool raiseError = false) : Callback
    {
        /// <inheritdoc/>
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (!logs.TryGetValue("loss", out var loss) || float.IsFinite(loss)) return;
            if (raiseError)
                throw new ArithmeticException($"TerminateOnNaN: NaN or Inf loss encountered at batch {batch}. Loss value: {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)}. Terminating training immediately.");
            Console.WriteLine($"Batch {batch}: Invalid loss, terminating training");
            Model!.StopTraining = true;
        }
    }

    /// <summary>
    /// Callbacks from lambdas (<c>LambdaCallback</c>): each hook given runs at its time in Fit,
    /// Evaluate and Predict (Keras' named hooks, and its <c>**kwargs</c> for the test and predict
    /// ones); hooks not given do nothing and cost nothing (the running logs are read from the
    /// device after a batch only for an onBatchEnd or onTestBatchEnd).
    /// </summary>
    public sealed class LambdaCallback(
        Action<int, IReadOnlyDictionary<string, float>>? onEpochEnd = null,
        Action<int, IReadOnlyDictionary<string, float>>? onBatchEnd = null,
        Action<int>? onEpochBegin = null,
        Action? onTrainBegin = null,
        Action? onTrainEnd = null,
        Action<int>? onBatchBegin = null,
        Action? onTestBegin = null,
        Action<IReadOnlyDictionary<string, float>>? onTestEnd = null,
        Action<int>? onTestBatchBegin = null,
        Action<int, IReadOnlyDictionary<string, float>>? onTestBatchEnd = null,
        Action? onPredictBegin = null,
        Action? onPredictEnd = null,
        Action<int>? onPredictBatchBegin = null,
        Action<int, IReadOnlyDictionary<string, IReadOnlyList<Tensor>>>? onPredictBatchEnd = null) : Callback
    {
        /// <inheritdoc/>
        public override void OnBatchBegin(int batch) => onBatchBegin?.Invoke(batch);
        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) => onEpochEnd?.Invoke(epoch, logs);
        /// <inheritdoc/>
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => onBatchEnd?.Invoke(batch, logs);
        /// <inheritdoc/>
        public override void OnEpochBegin(int epoch) => onEpochBegin?.Invoke(epoch);
        /// <inheritdoc/>
        public override void OnTrainBegin() => onTrainBegin?.Invoke();
        /// <inheritdoc/>
        public override void OnTrainEnd() => onTrainEnd?.Invoke();
        /// <inheritdoc/>
        public override void OnTestBegin() => onTestBegin?.Invoke();
        /// <inheritdoc/>
        public override void OnTestEnd(IReadOnlyDictionary<string, float> logs) => onTestEnd?.Invoke(logs);
        /// <inheritdoc/>
        public override void OnTestBatchBegin(int batch) => onTestBatchBegin?.Invoke(batch);
        /// <inheritdoc/>
        public override void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => onTestBatchEnd?.Invoke(batch, logs);
        /// <inheritdoc/>
        public override void OnPredictBegin() => onPredictBegin?.Invoke();
        /// <inheritdoc/>
        public override void OnPredictEnd() => onPredictEnd?.Invoke();
        /// <inheritdoc/>
        public override void OnPredictBatchBegin(int batch) => onPredictBatchBegin?.Invoke(batch);
        /// <inheritdoc/>
        public override void OnPredictBatchEnd(int batch, IReadOnlyDictionary<string, IReadOnlyList<Tensor>> logs) => onPredictBatchEnd?.Invoke(batch, logs);

        // It overrides the batch-end hooks for every instance: without the lambda, Fit and Evaluate
        // need not read the running logs from the device after each step for it.
        internal override bool WantsLogsAfter(int step) => onBatchEnd is not null;
        internal override bool WantsTestLogsAfter(int step) => onTestBatchEnd is not null;
        internal override bool ActsOnTestBatches => onTestBatchEnd is not null || onTestBatchBegin is not null;
        internal override bool ReadsPredictOutputs => onPredictBatchEnd is not null;
        internal override bool ActsOnPredictBatches => onPredictBatchEnd is not null || onPredictBatchBegin is not null;
    }
}
