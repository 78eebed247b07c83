namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// What a callback is run with (Keras' <c>callback.params</c>, the dict {"epochs", "steps", "verbose"}):
    /// set before the first hook of <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c>.
    /// </summary>
    /// <param name="Epochs">Fit's <c>epochs</c>; 1 for Evaluate and Predict (as Keras).</param>
    /// <param name="Steps">Batches per epoch (per evaluation, per prediction); null when the data does not say its length upfront (Keras' None).</param>
    /// <param name="Verbose">The call's <c>verbose</c>.</param>
    public sealed record CallbackParams(int Epochs, int? Steps, int Verbose);

    /// <summary>
    /// A hook called by <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c>; override what you need
    /// (<c>tf.keras.callbacks.Callback</c>). Pass it to any of the three (<c>callbacks:</c>); Fit
    /// also calls the test hooks of its callbacks while it validates, as Keras' fit runs evaluate
    /// with them. Per-batch hooks cost a read of the running loss and metrics from the device only
    /// when a callback overrides them.
    /// </summary>
    public abstract class Callback
    {
        /// <summary>The model being trained, evaluated or predicted with (Keras' <c>self.model</c>), set before the first hook.</summary>
        public Model? Model { get; internal set; }

        /// <summary>The epochs, steps and verbose of the call (Keras' <c>self.params</c>), set before the first hook; null before any call.</summary>
        public CallbackParams? Params { get; internal set; }

        /// <summary>
        /// Sets <see cref="Model"/> (Keras' <c>set_model</c>): for a loop of your own that calls the hooks
        /// itself (or use <see cref="CallbackList"/>); Fit, Evaluate and Predict set it themselves.
        /// </summary>
        public void SetModel(Model model) => Model = model ?? throw new ArgumentNullException(nameof(model));

        /// <summary>Sets <see cref="Params"/> (Keras' <c>set_params</c>), as <see cref="SetModel"/>.</summary>
        public void SetParams(CallbackParams parameters) => Params = parameters ?? throw new ArgumentNullException(nameof(parameters));

        /// <summary>Before the first epoch.</summary>
        public virtual void OnTrainBegin() { }
        /// <summary>After the last epoch.</summary>
        public virtual void OnTrainEnd() { }
        /// <summary>
        /// After the last epoch, with the last epoch's logs (Keras' <c>on_train_end(logs)</c>: its loss,
        /// metrics and validation values; empty when no epoch ran, e.g. a restored run already done).
        /// Calls <see cref="OnTrainEnd()"/> unless overridden: override either.
        /// </summary>
        public virtual void OnTrainEnd(IReadOnlyDictionary<string, float> logs) => OnTrainEnd();
        /// <summary>Before each epoch (0-based).</summary>
        public virtual void OnEpochBegin(int epoch) { }
        /// <summary>After each epoch, with that epoch's loss and metrics (validation ones prefixed "val_").</summary>
        public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) { }
        /// <summary>
        /// Before each training batch (0-based within the epoch), once its data is read and before
        /// the step runs (Keras' <c>on_train_batch_begin</c>, whose logs are empty): per-batch
        /// learning-rate warm-up, timing, or setting state the step reads.
        /// </summary>
        public virtual void OnBatchBegin(int batch) { }
        /// <summary>After each training batch, with the running loss and metrics.</summary>
        public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) { }

        /// <summary>At the start of <c>Evaluate</c>, and of each validation in <c>Fit</c> (Keras' <c>on_test_begin</c>).</summary>
        public virtual void OnTestBegin() { }
        /// <summary>
        /// At the end of <c>Evaluate</c> (each validation in Fit) with its loss and metrics, the values
        /// Evaluate returns, named as <see cref="Keras.Model.MetricsNames"/> (no "val_" prefix in Fit either, as Keras).
        /// </summary>
        public virtual void OnTestEnd(IReadOnlyDictionary<string, float> logs) { }
        /// <summary>Before each evaluation batch (0-based), once its data is read (Keras' <c>on_test_batch_begin</c>).</summary>
        public virtual void OnTestBatchBegin(int batch) { }
        /// <summary>After each evaluation batch, with the running loss and metrics over the batches so far (Keras' <c>on_test_batch_end</c>).</summary>
        public virtual void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) { }

        /// <summary>At the start of <c>Predict</c> (Keras' <c>on_predict_begin</c>).</summary>
        public virtual void OnPredictBegin() { }
        /// <summary>At the end of <c>Predict</c> (Keras' <c>on_predict_end</c>, whose logs are empty).</summary>
        public virtual void OnPredictEnd() { }
        /// <summary>Before each prediction batch (0-based), once its data is read (Keras' <c>on_predict_batch_begin</c>).</summary>
        public virtual void OnPredictBatchBegin(int batch) { }
        /// <summary>
        /// After each prediction batch (Keras' <c>on_predict_batch_end(batch, {"outputs": batch_outputs})</c>):
        /// <paramref name="logs"/> holds one key, "outputs", with the batch's outputs, one tensor per
        /// model output in the order of <see cref="Keras.Model.Outputs"/> (one for a single-output
        /// model), each the rows of Predict's result for this batch. They are Predict's own tensors,
        /// freed when Predict returns: copy one (<c>NF.Identity</c>, <c>ToArray</c>) to keep it.
        /// </summary>
        public virtual void OnPredictBatchEnd(int batch, IReadOnlyDictionary<string, IReadOnlyList<Tensor>> logs) { }

        /// <summary>Whether this callback overrides <see cref="OnBatchBegin"/>: Fit calls only such callbacks before each step.</summary>
        internal bool HandlesBatchBegin => Overrides(nameof(OnBatchBegin), typeof(int));

        /// <summary>Whether this callback overrides <see cref="OnBatchEnd"/>: Fit reads the running loss and metrics from the device after a step only for such callbacks (or the progress bar).</summary>
        internal bool HandlesBatchEnd => Overrides(nameof(OnBatchEnd), typeof(int), typeof(IReadOnlyDictionary<string, float>));

        /// <summary>Whether this callback overrides <see cref="OnTestBatchBegin"/>.</summary>
        internal bool HandlesTestBatchBegin => Overrides(nameof(OnTestBatchBegin), typeof(int));

        /// <summary>Whether this callback overrides <see cref="OnTestBatchEnd"/>: Evaluate reads the running logs after a step only for such callbacks.</summary>
        internal bool HandlesTestBatchEnd => Overrides(nameof(OnTestBatchEnd), typeof(int), typeof(IReadOnlyDictionary<string, float>));

        /// <summary>Whether this callback overrides <see cref="OnPredictBatchBegin"/>.</summary>
        internal bool HandlesPredictBatchBegin => Overrides(nameof(OnPredictBatchBegin), typeof(int));

        /// <summary>Whether this callback overrides <see cref="OnPredictBatchEnd"/>.</summary>
        internal bool HandlesPredictBatchEnd => Overrides(nameof(OnPredictBatchEnd), typeof(int), typeof(IReadOnlyDictionary<string, IReadOnlyList<Tensor>>));

        // Whether this callback's type overrides the hook (per-batch hooks are called only on those).
        private bool Overrides(string hook, params Type[] parameters) =>
            GetType().GetMethod(hook, parameters)!.DeclaringType != typeof(Callback);

        /// <summary>
        /// Whether Fit should read the logs and call <see cref="OnBatchEnd"/> after step
        /// <paramref name="step"/> (1-based) of a callback that handles batch ends: every step,
        /// unless the callback knows it would not use them (the progress bar between redraws).
        /// </summary>
        internal virtual bool WantsLogsAfter(int step) => true;

        /// <summary>
        /// Called by Fit instead of <see cref="OnBatchEnd"/> after batch <paramref name="batch"/>
        /// (0-based) when <see cref="WantsLogsAfter"/> said no: the step ran, its logs were not read.
        /// Keeps the query free of side effects; a callback that counts steps does it here.
        /// </summary>
        internal virtual void OnBatchEndWithoutLogs(int batch) { }

        /// <summary>As <see cref="WantsLogsAfter"/> for <see cref="OnTestBatchEnd"/> (Evaluate, Fit's validation).</summary>
        internal virtual bool WantsTestLogsAfter(int step) => true;

        /// <summary>As <see cref="OnBatchEndWithoutLogs"/> for an evaluation batch whose logs were not read.</summary>
        internal virtual void OnTestBatchEndWithoutLogs(int batch) { }

        /// <summary>
        /// Whether this callback's evaluation batch hooks may read the running logs or stop the
        /// evaluation (<see cref="Model.StopEvaluating"/>): under DataParallel the ranks then agree,
        /// before each evaluation step, on reading the global logs and on stopping. The progress
        /// bar inside Fit draws nothing for the validation, so it needs no agreement.
        /// </summary>
        internal virtual bool ActsOnTestBatches => true;

        /// <summary>
        /// Whether <see cref="OnPredictBatchEnd"/> reads the batch's outputs (the progress bar only
        /// counts the batch): under DataParallel every rank's rows are then gathered for it.
        /// </summary>
        internal virtual bool ReadsPredictOutputs => true;

        /// <summary>
        /// Whether this callback's prediction batch hooks may stop the prediction
        /// (<see cref="Model.StopPredicting"/>): under DataParallel the ranks then agree, after each
        /// step a batch hook ran at, on stopping there, as one process stops at that step. The
        /// progress bar only draws.
        /// </summary>
        internal virtual bool ActsOnPredictBatches => true;

        /// <summary>Whether <see cref="OnTrainBegin"/> needs the model's weights to exist (Fit builds the model first).</summary>
        internal virtual bool NeedsWeightsAtStart => false;

        /// <summary>Read after <see cref="OnTrainBegin"/>: where to continue from (a restored run), or null.</summary>
        internal virtual FitPosition? ResumePosition => null;

        /// <summary>
        /// Called by Fit just before <see cref="OnEpochEnd"/> with the epoch's logs, which this
        /// callback may add to (Keras' callbacks write into the logs dict; History, last in
        /// Keras' list, records what they added, as do the callbacks after them).
        /// </summary>
        internal virtual void AddEpochLogs(Dictionary<string, float> logs) { }

        /// <summary>
        /// The end of epoch <paramref name="epoch"/> for <paramref name="callbacks"/> in order (Fit's list and
        /// <see cref="CallbackList"/>): each adds to the logs, then its hook runs, so the later callbacks see what
        /// the earlier ones added.
        /// </summary>
        internal static void EndEpoch(IEnumerable<Callback> callbacks, int epoch, Dictionary<string, float> logs)
        {
            foreach (var c in callbacks)
            {
                c.AddEpochLogs(logs);
                c.OnEpochEnd(epoch, logs);
            }
        }
    }
}
