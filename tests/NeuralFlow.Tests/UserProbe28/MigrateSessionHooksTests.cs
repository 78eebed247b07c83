using System.Globalization;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The TF2 halves of TensorFlow's "Migrate LoggingTensorHook and StopAtStepHook to Keras callbacks"
/// (guide/migrate/logging_stop_hook.ipynb) and "Migrate SessionRunHook to Keras callbacks"
/// (guide/migrate/sessionrunhook_callback.ipynb) in C#: custom callbacks that stop Fit once the optimizer has
/// taken N steps (Model.StopTraining in OnBatchEnd), log the layer's weights and the batch logs' loss, and log
/// every 10th step with its examples per second. A Dense(1) on the guides' three examples, batch(1), with
/// Keras' Adagrad(0.05) from fixed weights, so that the logged numbers are migrate_references.py's (torch, with
/// Keras' Adagrad update written out).
/// </summary>
public abstract class MigrateSessionHooksTests(string backend) : BackendTest(backend)
{
    private static Dataset<(Tensor, Tensor)> Examples() => Dataset.FromTensorSlices((
        NF.Constant(new float[,] { { 1f, 1.5f }, { 2f, 2.5f }, { 3f, 3.5f } }),
        NF.Constant(new float[,] { { 0.3f }, { 0.5f }, { 0.7f } })));

    private static Sequential CreateModel()
    {
        var model = new Sequential(Layers.Input([2]), new Layers.Dense(1));
        model.Compile(new Optimizers.Adagrad(learningRate: 0.05), "mse");
        model.SetWeights([NF.Constant(new float[,] { { 0.5f }, { -0.25f } }), NF.Zeros([1])]);
        return model;
    }

    /// <summary>The guide's StopAtStepCallback: stops once the optimizer's step count reaches stopStep.</summary>
    private sealed class StopAtStepCallback(int stopStep, TextWriter output) : Callbacks.Callback
    {
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (Model!.Optimizer!.Iterations >= stopStep)
            {
                Model.StopTraining = true;
                output.WriteLine("stop training now");
            }
        }
    }

    /// <summary>The guide's LoggingTensorCallback: logs the Dense layer's kernel, bias and the loss (its count logic as written).</summary>
    private sealed class LoggingTensorCallback(int everyNIter, List<(float[] Kernel, float Bias, float Loss)> logged) : Callbacks.Callback
    {
        private int _logCount = everyNIter;

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (_logCount > 0)
            {
                _logCount -= 1;
                var weights = Model!.Layers[0].GetWeights();
                logged.Add((weights[0].ToArray<float>(), weights[1].ToArray<float>()[0], logs["loss"]));
            }
            else _logCount -= everyNIter;
        }
    }

    [SkippableFact]
    public void Fit_stops_after_two_steps_and_the_logging_callback_saw_each_steps_weights_and_running_loss()
    {
        RequireBackend();
        var model = CreateModel();
        var output = new StringWriter();
        var logged = new List<(float[] Kernel, float Bias, float Loss)>();
        // model.fit(dataset, callbacks=[StopAtStepCallback(stop_step=2), LoggingTensorCallback(every_n_iter=2)])
        var history = model.Fit(Examples().Batch(1), verbose: 0, callbacks: [new StopAtStepCallback(2, output), new LoggingTensorCallback(2, logged)]);

        Assert.Equal(2, model.Optimizer!.Iterations);
        Assert.Equal("stop training now" + Environment.NewLine, output.ToString());
        // migrate_references.py, "stop hook ...": the weights after each step and the epoch's running mean loss.
        Assert.Equal(2, logged.Count);
        AssertClose([0.537099898f, -0.207169607f], logged[0].Kernel);
        AssertClose([0.0370999165f], [logged[0].Bias]);
        AssertClose([0.0306250043f], [logged[0].Loss]);
        AssertClose([0.506060958f, -0.237468496f], logged[1].Kernel);
        AssertClose([0.01869433f], [logged[1].Bias]);
        AssertClose([0.019672011f], [logged[1].Loss]);
        // One epoch, cut after its second step: its loss is the mean over the two steps taken.
        AssertClose([0.019672011f], history["loss"].ToArray());
    }

    /// <summary>The guide's CustomCallback: every 10th step (counted in OnBatchBegin from -1) logs the time and examples per second.</summary>
    private sealed class CustomCallback(List<string> lines) : Callbacks.Callback
    {
        private int _step;
        private System.Diagnostics.Stopwatch _clock = new();
        private const int LogFrequency = 10;

        public override void OnTrainBegin()
        {
            _step = -1;
            _clock = System.Diagnostics.Stopwatch.StartNew();
        }

        public override void OnBatchBegin(int batch) => _step += 1;

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (_step % LogFrequency != 0) return;
            double duration = _clock.Elapsed.TotalSeconds;
            _clock.Restart();
            double examplesPerSec = LogFrequency / Math.Max(duration, 1e-9);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Time: {DateTime.Now:O} , Step #: {_step} , Examples per second: {examplesPerSec}"));
        }
    }

    [SkippableFact]
    public void A_custom_callback_logs_every_tenth_step_of_a_silent_Fit()
    {
        RequireBackend();
        var lines = new List<string>();
        var model = CreateModel();
        var stdout = Console.Out;
        var console = new StringWriter();
        Console.SetOut(console);
        History result;
        try { result = model.Fit(Examples().Batch(1).Repeat(100), callbacks: [new CustomCallback(lines)], verbose: 0); }
        finally { Console.SetOut(stdout); }

        // 300 steps in one epoch: steps 0, 10, ..., 290 are logged; verbose 0 prints nothing else.
        Assert.Equal(30, lines.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"Step #: {10 * i} ,"), lines.Select(l => l[(l.IndexOf("Step #", StringComparison.Ordinal))..(l.IndexOf(" Examples", StringComparison.Ordinal))]));
        Assert.Equal("", console.ToString());
        // result.history: {'loss': [...]}, one epoch (migrate_references.py, "session hook epoch loss").
        Assert.Equal(["loss"], result.Keys);
        AssertClose([0.00115573485f], result["loss"].ToArray(), 2e-6f);
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1f, Math.Abs(expected[i])), $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}

/// <summary>The session-hook migration guides on the managed backend.</summary>
public sealed class ManagedMigrateSessionHooksTests() : MigrateSessionHooksTests("managed");

/// <summary>The session-hook migration guides on the native CPU backend.</summary>
public sealed class NativeCpuMigrateSessionHooksTests() : MigrateSessionHooksTests("cpu");

/// <summary>The session-hook migration guides on CUDA.</summary>
public sealed class CudaMigrateSessionHooksTests() : MigrateSessionHooksTests("cuda");
