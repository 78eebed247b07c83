namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Drives callbacks from a training loop of your own (<c>keras.callbacks.CallbackList</c>), as
    /// Keras' "training loop from scratch" and the early-stopping migration guide do: each
    /// <c>On...</c> call runs that hook of every callback, in order, and <see cref="Model.StopTraining"/>
    /// tells the loop when one (an <see cref="EarlyStopping"/>) asks it to stop.
    /// <code>
    /// var callbacks = new Callbacks.CallbackList([new Callbacks.EarlyStopping(monitor: "loss", patience: 3)], model: model, addHistory: true);
    /// callbacks.OnTrainBegin();
    /// for (int epoch = 0; epoch &lt; 100 &amp;&amp; !model.StopTraining; epoch++)
    /// {
    ///     callbacks.OnEpochBegin(epoch);
    ///     // ... train, then:
    ///     callbacks.OnEpochEnd(epoch, new Dictionary&lt;string, float&gt; { ["loss"] = loss });
    /// }
    /// callbacks.OnTrainEnd();
    /// </code>
    /// </summary>
    /// <remarks>
    /// Fit builds its own list; this one is for loops that call the model themselves. The model's
    /// <see cref="Model.StopTraining"/> is cleared by <see cref="OnTrainBegin"/>, as Fit clears it.
    /// </remarks>
    public sealed class CallbackList
    {
        private readonly List<Callback> _callbacks = [];
        private Model? _model;
        private CallbackParams? _params;

        /// <param name="callbacks">The callbacks, run in this order.</param>
        /// <param name="addHistory">Append a <see cref="Keras.History"/> of the epoch logs (Keras' <c>add_history</c>).</param>
        /// <param name="addProgbar">Append a <see cref="ProgbarLogger"/> on the console unless one was given (Keras' <c>add_progbar</c>).</param>
        /// <param name="model">The model the callbacks act on (Keras' <c>model=</c>; or <see cref="SetModel"/>).</param>
        /// <param name="epochs">Keras' <c>params["epochs"]</c>, which a progress bar shows.</param>
        /// <param name="steps">Keras' <c>params["steps"]</c>: batches per epoch, null when unknown.</param>
        /// <param name="verbose">Keras' <c>params["verbose"]</c>.</param>
        public CallbackList(IEnumerable<Callback>? callbacks = null, bool addHistory = false, bool addProgbar = false, Model? model = null,
                            int epochs = 1, int? steps = null, int verbose = 1)
        {
            foreach (var c in callbacks ?? []) Append(c);
            if (addProgbar && !_callbacks.OfType<ProgbarLogger>().Any()) Append(new ProgbarLogger());
            if (addHistory) History = new History();
            SetParams(new CallbackParams(epochs, steps, verbose));
            if (model is not null) SetModel(model);
        }

        /// <summary>The callbacks, in the order they run.</summary>
        public IReadOnlyList<Callback> Callbacks => _callbacks;

        /// <summary>The epochs' logs, as Fit returns them, when made with <c>addHistory: true</c>; else null.</summary>
        public History? History { get; }

        /// <summary>Adds a callback at the end (Keras' <c>append</c>), given the list's model and params.</summary>
        public void Append(Callback callback)
        {
            ArgumentNullException.ThrowIfNull(callback);
            _callbacks.Add(callback);
            if (_model is not null) callback.SetModel(_model);
            if (_params is not null) callback.SetParams(_params);
        }

        /// <summary>Gives every callback the model (Keras' <c>set_model</c>).</summary>
        public void SetModel(Model model)
        {
            _model = model ?? throw new ArgumentNullException(nameof(model));
            foreach (var c in _callbacks) c.SetModel(model);
        }

        /// <summary>Gives every callback the params (Keras' <c>set_params</c>).</summary>
        public void SetParams(CallbackParams parameters)
        {
            _params = parameters ?? throw new ArgumentNullException(nameof(parameters));
            foreach (var c in _callbacks) c.SetParams(parameters);
        }

        /// <summary>Before the first epoch: clears <see cref="Model.StopTraining"/>, then each callback's hook.</summary>
        public void OnTrainBegin()
        {
            // A callback that reads or restores weights (EarlyStopping) needs the model: said here, by name,
            // rather than as a NullReferenceException from inside the callback.
            if (_model is null && _callbacks.Count > 0)
                throw new InvalidOperationException("CallbackList: no model; pass model: to the constructor or call SetModel(model) before OnTrainBegin.");
            if (_model is not null) _model.StopTraining = false;
            foreach (var c in _callbacks) c.OnTrainBegin();
        }

        /// <summary>After the last epoch, with its logs (empty when none is given).</summary>
        public void OnTrainEnd(IReadOnlyDictionary<string, float>? logs = null)
        {
            logs ??= new Dictionary<string, float>();
            foreach (var c in _callbacks) c.OnTrainEnd(logs);
        }

        /// <summary>Before epoch <paramref name="epoch"/> (0-based).</summary>
        public void OnEpochBegin(int epoch)
        {
            foreach (var c in _callbacks) c.OnEpochBegin(epoch);
        }

        /// <summary>
        /// After epoch <paramref name="epoch"/> with its logs. As in Fit, a callback may add to them
        /// (the learning rate ReduceLROnPlateau logs), the later callbacks and the History see what it added.
        /// </summary>
        public void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            ArgumentNullException.ThrowIfNull(logs);
            var epochLogs = new Dictionary<string, float>(logs);
            Callback.EndEpoch(_callbacks, epoch, epochLogs);
            History?.Add(epoch, epochLogs);
        }

        /// <summary>Before training batch <paramref name="batch"/> (Keras' <c>on_train_batch_begin</c>).</summary>
        public void OnTrainBatchBegin(int batch)
        {
            foreach (var c in _callbacks) c.OnBatchBegin(batch);
        }

        /// <summary>After training batch <paramref name="batch"/>, with the running logs (Keras' <c>on_train_batch_end</c>).</summary>
        public void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            ArgumentNullException.ThrowIfNull(logs);
            foreach (var c in _callbacks) c.OnBatchEnd(batch, logs);
        }

        /// <summary>At the start of an evaluation.</summary>
        public void OnTestBegin()
        {
            foreach (var c in _callbacks) c.OnTestBegin();
        }

        /// <summary>At the end of an evaluation, with its logs.</summary>
        public void OnTestEnd(IReadOnlyDictionary<string, float> logs)
        {
            ArgumentNullException.ThrowIfNull(logs);
            foreach (var c in _callbacks) c.OnTestEnd(logs);
        }

        /// <summary>Before evaluation batch <paramref name="batch"/>.</summary>
        public void OnTestBatchBegin(int batch)
        {
            foreach (var c in _callbacks) c.OnTestBatchBegin(batch);
        }

        /// <summary>After evaluation batch <paramref name="batch"/>, with the running logs.</summary>
        public void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            ArgumentNullException.ThrowIfNull(logs);
            foreach (var c in _callbacks) c.OnTestBatchEnd(batch, logs);
        }
    }
}
