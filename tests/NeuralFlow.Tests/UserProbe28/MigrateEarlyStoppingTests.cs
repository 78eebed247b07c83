using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The TF2 half of TensorFlow's "Migrate early stopping" guide (guide/migrate/early_stopping.ipynb) in C#:
/// the built-in EarlyStopping in Fit (with restoreBestWeights), a custom callback that stops Fit after a
/// time limit through Model.StopTraining, and a custom training loop that drives the same Keras callback
/// by hand through a CallbackList (Keras' "training loop from scratch" way). The guide trains MNIST for a
/// loss that is not deterministic; here Dense(1) on y = 2x with fixed starting weights and full-batch SGD,
/// whose losses and weights migrate_references.py computes with torch: at learning rate 0.2 the loss
/// grows from the first epoch, so the first epoch stays the best and patience 3 stops at epoch 3.
/// </summary>
public abstract class MigrateEarlyStoppingTests(string backend) : BackendTest(backend)
{
    // migrate_references.py, "diverging losses" and "weights after epoch 0/3".
    private static readonly float[] DivergingLosses = [16.875f, 92.25f, 505.034973f, 2765.53271f];
    private static readonly float[] BestWeights = [5f, 1.5f];

    private static Tensor X => NF.Constant(new float[,] { { 1 }, { 2 }, { 3 }, { 4 } });
    private static Tensor Y => 2 * X;

    private static Sequential LinearModel(double learningRate)
    {
        var model = new Sequential(Layers.Input([1]), new Layers.Dense(1));
        model.Compile(new Optimizers.SGD(learningRate), "mse");
        model.SetWeights([NF.Constant(new float[,] { { 0.5f } }), NF.Zeros([1])]);
        return model;
    }

    private static float[] Weights(Model model) => model.GetWeights().Select(w => w.ToArray<float>()[0]).ToArray();

    [SkippableFact]
    public void Fit_with_EarlyStopping_stops_after_patience_and_restores_the_best_weights()
    {
        RequireBackend();
        var model = LinearModel(0.2);
        // callback = tf.keras.callbacks.EarlyStopping(monitor='loss', patience=3) (+ restore_best_weights)
        var callback = new Callbacks.EarlyStopping(monitor: "loss", patience: 3, restoreBestWeights: true);
        var history = model.Fit(X, Y, batchSize: 4, epochs: 100, shuffle: false, verbose: 0, callbacks: [callback]);

        // len(history.history['loss']): epoch 0 is the best, epochs 1..3 do not improve, the 4th epoch stops.
        Assert.Equal(4, history["loss"].Count);
        Assert.Equal(DivergingLosses, history["loss"].ToArray(), new CloseFloats(1e-4f));
        Assert.Equal(3, callback.StoppedEpoch);
        Assert.Equal(0, callback.BestEpoch);
        Assert.Equal(BestWeights, Weights(model), new CloseFloats(1e-5f));
    }

    /// <summary>The guide's LimitTrainingTime: on_train_batch_end sets model.stop_training once the time is up.</summary>
    private sealed class LimitTrainingTime(double maxTimeSeconds) : Callbacks.Callback
    {
        private System.Diagnostics.Stopwatch? _clock;
        public int Batches { get; private set; }

        public override void OnTrainBegin() => _clock = System.Diagnostics.Stopwatch.StartNew();

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            Batches++;
            if (_clock!.Elapsed.TotalSeconds > maxTimeSeconds) Model!.StopTraining = true;
        }
    }

    [SkippableFact]
    public void A_custom_callback_stops_Fit_within_the_epoch_it_asks_in()
    {
        RequireBackend();
        var model = LinearModel(0.01);
        // A limit already passed: Keras stops after the batch that asked, finishes that epoch's end
        // (its logs and callbacks) and runs no other, so the history holds one epoch of one batch of 1.
        var callback = new LimitTrainingTime(0);
        var history = model.Fit(X, Y, batchSize: 1, epochs: 100, shuffle: false, verbose: 0, validationData: (X, Y), callbacks: [callback]);
        Assert.Equal(1, callback.Batches);
        Assert.Equal(1, history["loss"].Count);
        Assert.Equal(1, history["val_loss"].Count);
        Assert.True(model.StopTraining);

        // A limit not reached: all epochs run.
        var patient = new LimitTrainingTime(3600);
        history = LinearModel(0.01).Fit(X, Y, batchSize: 2, epochs: 3, shuffle: false, verbose: 0, callbacks: [patient]);
        Assert.Equal(6, patient.Batches);
        Assert.Equal(3, history["loss"].Count);
    }

    [SkippableFact]
    public void A_custom_loop_drives_EarlyStopping_through_a_CallbackList()
    {
        RequireBackend();
        var model = LinearModel(0.2);
        var optimizer = new Optimizers.SGD(0.2);
        var lossFn = new Losses.MeanSquaredError();
        var earlyStopping = new Callbacks.EarlyStopping(monitor: "loss", patience: 3, restoreBestWeights: true);
        var callbacks = new Callbacks.CallbackList([earlyStopping], addHistory: true, model: model, epochs: 100, steps: 1, verbose: 0);
        Assert.Same(model, earlyStopping.Model);
        Assert.Equal(new Callbacks.CallbackParams(100, 1, 0), earlyStopping.Params);

        var trainLoss = new Metrics.Mean();
        int epochsRun = 0;
        callbacks.OnTrainBegin();
        for (int epoch = 0; epoch < 100; epoch++)
        {
            callbacks.OnEpochBegin(epoch);
            callbacks.OnTrainBatchBegin(0);
            Tensor lossValue;
            using (var tape = new GradientTape())
            {
                var logits = model.Call(X, training: true);
                lossValue = lossFn.Call(Y, logits);
                var grads = tape.Gradient(lossValue, model.TrainableVariables);
                optimizer.ApplyGradients(grads, model.TrainableVariables);
            }
            trainLoss.UpdateState(lossValue);
            callbacks.OnTrainBatchEnd(0, new Dictionary<string, float> { ["loss"] = lossValue.Item<float>() });
            var logs = new Dictionary<string, float> { ["loss"] = trainLoss.Result() };
            trainLoss.ResetState();
            callbacks.OnEpochEnd(epoch, logs);
            epochsRun++;
            if (model.StopTraining) break;
        }
        callbacks.OnTrainEnd();

        Assert.Equal(4, epochsRun);
        Assert.Equal(3, earlyStopping.StoppedEpoch);
        Assert.Equal(DivergingLosses, callbacks.History!["loss"].ToArray(), new CloseFloats(1e-4f));
        Assert.Equal([0, 1, 2, 3], callbacks.History.Epoch);
        Assert.Equal(BestWeights, Weights(model), new CloseFloats(1e-5f));

        // A second run on the same list starts afresh: OnTrainBegin clears the model's stop flag.
        callbacks.OnTrainBegin();
        Assert.False(model.StopTraining);
    }

    [SkippableFact]
    public void A_CallbackList_without_a_model_says_so_before_a_callback_needs_it()
    {
        RequireBackend();
        var callbacks = new Callbacks.CallbackList([new Callbacks.EarlyStopping(monitor: "loss", restoreBestWeights: true)]);
        var e = Assert.Throws<InvalidOperationException>(callbacks.OnTrainBegin);
        Assert.Contains("SetModel", e.Message);
        Assert.Throws<ArgumentNullException>(() => callbacks.OnEpochEnd(0, null!));
        Assert.Throws<ArgumentNullException>(() => callbacks.Append(null!));
    }
}

/// <summary>The early-stopping migration guide on the managed backend.</summary>
public sealed class ManagedMigrateEarlyStoppingTests() : MigrateEarlyStoppingTests("managed");

/// <summary>The early-stopping migration guide on the native CPU backend.</summary>
public sealed class NativeCpuMigrateEarlyStoppingTests() : MigrateEarlyStoppingTests("cpu");

/// <summary>The early-stopping migration guide on CUDA.</summary>
public sealed class CudaMigrateEarlyStoppingTests() : MigrateEarlyStoppingTests("cuda");
