namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Prints progress as Keras' <c>ProgbarLogger</c> does: in Fit "Epoch i/N", then the bar
    /// (verbose 1: redrawn in place on a terminal, the closing line only when output is redirected)
    /// or one line per epoch (verbose 2), with the logs as Keras formats them (4 decimals, or
    /// 4-digit scientific notation below 1e-3); in a standalone Evaluate one bar over its batches
    /// with the running loss and metrics, in Predict one bar over its batches (Fit's validation
    /// draws nothing, as in Keras). Fit, Evaluate and Predict add one writing to the console
    /// whenever verbose is not 0; pass one yourself to print elsewhere, e.g. a <see cref="StringWriter"/>.
    /// The call's <c>verbose</c> still decides the mode: with verbose 0 it prints nothing.
    /// </summary>
    public sealed class ProgbarLogger(TextWriter? output = null) : Callback
    {
        private int _done;
        private ProgressBar? _bar;
        // Between OnTrainBegin and OnTrainEnd: Fit's validation runs the test hooks, which draw
        // nothing then (Keras' _called_in_fit).
        private bool _inFit;

        /// <summary>Where the progress goes (null: <see cref="Console.Out"/> at the time of printing).</summary>
        public TextWriter? Output { get; set; } = output;

        // Tests: redraw in place as on a terminal, whatever the writer (null: only on the console's terminal).
        internal bool? Live { get; set; }

        private TextWriter Writer => Output ?? Console.Out;

        /// <inheritdoc/>
        public override void OnTrainBegin() => _inFit = true;

        /// <inheritdoc/>
        public override void OnTrainEnd() => _inFit = false;

        /// <inheritdoc/>
        public override void OnEpochBegin(int epoch)
        {
            // Keras' set_params: what Fit is about to run (epochs, steps per epoch, verbose).
            if (Params is { Verbose: > 0 } run) Writer.WriteLine($"Epoch {epoch + 1}/{run.Epochs}");
            StartBar();
        }

        // A bar over the call's steps (Params: Fit's steps per epoch, Evaluate's or Predict's batches).
        private void StartBar()
        {
            _done = 0;
            _bar = Params is { Verbose: > 0 } run ? new ProgressBar(run.Steps ?? 0, run.Verbose, Writer, Live) : null;
        }

        private void EndBar(IReadOnlyDictionary<string, float> logs)
        {
            _bar?.Finish(_done, logs);
            _bar = null;
        }

        /// <summary>
        /// Erases the bar drawn so far in place (a live bar's line has no newline yet), so that a
        /// warning Fit prints mid-epoch starts its own line and the epoch's closing line is the
        /// only bar left, instead of a half-drawn bar with the warning run on after it.
        /// </summary>
        internal void ClearLine() => _bar?.Clear();

        // The bar redraws at most every 100 ms (and at the last step): between redraws Fit need not
        // read the running loss and metrics from the device. A pure query: Fit may ask it any
        // number of times; the step count is noted in OnBatchEndWithoutLogs or OnBatchEnd.
        internal override bool WantsLogsAfter(int step) => _bar?.WillDraw(step) == true;

        // A step whose logs Fit did not read still counts, for the closing line of a dataset
        // whose length was not known upfront.
        internal override void OnBatchEndWithoutLogs(int batch) => _done = batch + 1;

        /// <inheritdoc/>
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            _done = batch + 1;
            _bar?.Update(_done, logs);
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) => EndBar(logs);

        /// <inheritdoc/>
        public override void OnTestBegin()
        {
            if (!_inFit) StartBar();
        }

        // Inside Fit the validation draws nothing: its logs need not be read for the bar.
        internal override bool WantsTestLogsAfter(int step) => !_inFit && WantsLogsAfter(step);

        internal override bool ActsOnTestBatches => !_inFit;

        internal override bool ReadsPredictOutputs => false;

        internal override bool ActsOnPredictBatches => false;

        internal override void OnTestBatchEndWithoutLogs(int batch)
        {
            if (!_inFit) _done = batch + 1;
        }

        /// <inheritdoc/>
        public override void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (_inFit) return;
            _done = batch + 1;
            _bar?.Update(_done, logs);
        }

        /// <inheritdoc/>
        public override void OnTestEnd(IReadOnlyDictionary<string, float> logs)
        {
            if (!_inFit) EndBar(logs);
        }

        /// <inheritdoc/>
        public override void OnPredictBegin() => StartBar();

        /// <inheritdoc/>
        public override void OnPredictBatchEnd(int batch, IReadOnlyDictionary<string, IReadOnlyList<Tensor>> logs)
        {
            _done = batch + 1;
            _bar?.Update(_done, NoLogs);
        }

        /// <inheritdoc/>
        public override void OnPredictEnd() => EndBar(NoLogs);

        // Predict's bar shows no loss or metrics (Keras' update(batch, None)).
        private static readonly IReadOnlyDictionary<string, float> NoLogs = new Dictionary<string, float>();
    }
}
