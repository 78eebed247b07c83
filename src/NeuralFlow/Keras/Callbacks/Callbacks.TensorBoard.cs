using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Logs for TensorBoard (<c>tf.keras.callbacks.TensorBoard</c>): event files under
    /// <c>logDir/train</c> and <c>logDir/validation</c>, as Keras writes them, so
    /// <c>tensorboard --logdir logs</c> shows them. Scalars <c>epoch_loss</c>,
    /// <c>epoch_&lt;metric&gt;</c> and <c>epoch_learning_rate</c> per epoch (validation values, without their
    /// <c>val_</c> prefix, in the validation run); <c>batch_loss</c> and the batch metrics every
    /// <paramref name="updateFreq"/> steps when it is a number; weight histograms
    /// (<c>&lt;variable&gt;/histogram</c>) every <paramref name="histogramFreq"/> epochs; with
    /// <paramref name="writeGraph"/>, the model's summary table as text (NeuralFlow has no graph
    /// to draw: its models run eagerly). Each evaluation (Fit's validation, or an <c>Evaluate</c> given
    /// the callback) also writes <c>evaluation_loss_vs_iterations</c> and <c>evaluation_&lt;metric&gt;_vs_iterations</c>
    /// to the validation run at the optimizer's step count, as Keras' <c>on_test_end</c> does.
    /// </summary>
    /// <param name="logDir">The run's directory.</param>
    /// <param name="histogramFreq">Epochs between weight histograms; 0 for none.</param>
    /// <param name="writeGraph">Write the model summary as text when training starts.</param>
    /// <param name="updateFreq">"epoch", or the number of batches between batch-level scalars.</param>
    public sealed class TensorBoard(string logDir = "logs", int histogramFreq = 0, bool writeGraph = true, object? updateFreq = null) : Callback
    {
        private readonly int _batchEvery = updateFreq switch
        {
            null or "epoch" => 0,
            "batch" => 1,
            int n when n > 0 => n,
            _ => throw new ArgumentException($"TensorBoard: updateFreq must be \"epoch\", \"batch\" or a positive number of batches, got {updateFreq}.", nameof(updateFreq)),
        };
        private readonly int _histogramFreq = histogramFreq >= 0 ? histogramFreq : throw new ArgumentOutOfRangeException(nameof(histogramFreq), histogramFreq, "TensorBoard: histogramFreq must be >= 0.");
        private EventFileWriter? _train, _validation;
        private long _step;
        private bool _summaryWritten;

        /// <summary>The run's directory (Keras' <c>log_dir</c>).</summary>
        public string LogDir => logDir;

        /// <summary>The training run's event file, once training started.</summary>
        public string? TrainEventFile { get; private set; }

        /// <summary>The validation run's event file, once a validation value was logged.</summary>
        public string? ValidationEventFile { get; private set; }

        /// <inheritdoc/>
        public override void OnTrainBegin()
        {
            CloseWriters();
            _train = new EventFileWriter(Path.Combine(logDir, "train"));
            TrainEventFile = _train.Path;
            ValidationEventFile = null;
            _step = 0;
            _summaryWritten = false;
            WriteSummary();
            _train.Flush();
        }

        // The summary table needs built layers: a model that builds on its first batch gets it after the first epoch
        // (its totals without the optimizer's variables, as Keras' summary as training begins).
        private void WriteSummary()
        {
            if (!writeGraph || _summaryWritten || Model is null || Model.Variables.Count == 0) return;
            _train!.Text("keras_model_summary", "```\n" + Model.SummaryText(withOptimizer: false) + "```", 0);
            _summaryWritten = true;
        }

        /// <inheritdoc/>
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            _step++;
            if (_batchEvery == 0 || _train is null || _step % _batchEvery != 0) return;
            foreach (var (k, v) in logs) _train.Scalar("batch_" + k, v, _step);
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (_train is null) OnTrainBegin();
            WriteSummary();
            foreach (var (k, v) in logs)
            {
                if (k.StartsWith("val_", StringComparison.Ordinal)) Validation().Scalar("epoch_" + k[4..], v, epoch);
                else _train!.Scalar("epoch_" + k, v, epoch);
            }
            if (Model?.Optimizer is { } optimizer) _train!.Scalar("epoch_learning_rate", (float)optimizer.CurrentLearningRate, epoch);
            if (_histogramFreq > 0 && epoch % _histogramFreq == 0 && Model is not null)
                foreach (var v in Model.Variables)
                    _train!.Histogram((v.Name ?? "variable") + "/histogram", v.ToDoubleArray(), epoch);
            _train!.Flush();
            _validation?.Flush();
        }

        /// <inheritdoc/>
        public override void OnTestEnd(IReadOnlyDictionary<string, float> logs)
        {
            // Keras writes these only for a model with an optimizer (its step count is the x axis).
            if (Model?.Optimizer is not { } optimizer) return;
            var writer = Validation();
            foreach (var (k, v) in logs) writer.Scalar($"evaluation_{k}_vs_iterations", v, optimizer.Iterations);
            writer.Flush();
            // An Evaluate outside Fit has no end of training to close the file at.
            if (_train is null)
            {
                writer.Dispose();
                _validation = null;
            }
        }

        private EventFileWriter Validation()
        {
            _validation ??= new EventFileWriter(Path.Combine(logDir, "validation"));
            ValidationEventFile = _validation.Path;
            return _validation;
        }

        /// <inheritdoc/>
        public override void OnTrainEnd() => CloseWriters();

        private void CloseWriters()
        {
            _train?.Dispose();
            _validation?.Dispose();
            _train = _validation = null;
        }
    }
}
