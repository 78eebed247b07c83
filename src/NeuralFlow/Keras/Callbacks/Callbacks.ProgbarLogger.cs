namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Prints Fit's progress as Keras' <c>ProgbarLogger</c> does: "Epoch i/N", then the bar
    /// (verbose 1: redrawn in place on a terminal, the closing line only when output is redirected)
    /// or one line per epoch (verbose 2), with the logs as Keras formats them (4 decimals, or
    /// 4-digit scientific notation below 1e-3). Fit adds one writing to the console whenever
    /// verbose is not 0; pass one yourself to print elsewhere, e.g. a <see cref="StringWriter"/>.
    /// Fit's <c>verbose</c> still decides the mode: with verbose 0 it prints nothing.
    /// </summary>
    public sealed class ProgbarLogger(TextWriter? output = null) : Callback
    {
        private int _done;
        private ProgressBar? _bar;

        /// <summary>Where the progress goes (null: <see cref="Console.Out"/> at the time of printing).</summary>
        public TextWriter? Output { get; set; } = output;

        // Tests: redraw in place as on a terminal, whatever the writer (null: only on the console's terminal).
        internal bool? Live { get; set; }

        private TextWriter Writer => Output ?? Console.Out;

        /// <inheritdoc/>
        public override void OnEpochBegin(int epoch)
        {
            _done = 0;
            // Keras' set_params: what Fit is about to run (epochs, steps per epoch, verbose).
            if (Params is not { Verbose: > 0 } run) return;
            Writer.WriteLine($"Epoch {epoch + 1}/{run.Epochs}");
            _bar = new ProgressBar(run.Steps ?? 0, run.Verbose, Writer, Live);
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
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            _bar?.Finish(_done, logs);
            _bar = null;
        }
    }
}
