using System.Text.RegularExpressions;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Callbacks.ProgbarLogger: Fit's progress printed to a writer the test holds, in Keras' verbose
/// modes and number format (keras/src/utils/progbar.py: 4 decimals, 4-digit scientific below 1e-3).
/// </summary>
public abstract class ProgbarLoggerTests(string backend) : BackendTest(backend)
{
    private static (Sequential Model, Tensor X, Tensor Y) Setup()
    {
        NF.Random.SetSeed(81);
        var model = new Sequential(new Layers.Dense(1));
        model.Compile("sgd", "mse", ["mae"]);
        return (model, NF.Random.Uniform([32, 2]), NF.Random.Uniform([32, 1]));
    }

    [SkippableTheory]
    [InlineData(1)]  // a writer that is not the console: the closing line of each epoch only
    [InlineData(2)]
    public void Prints_one_line_per_epoch_to_the_given_writer(int verbose)
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var output = new StringWriter();
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: verbose, validationData: (x, y), callbacks: [new Callbacks.ProgbarLogger(output)]);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        Assert.Equal("Epoch 2/2", lines[2]);
        const string logs = @"loss: \d\.\d{4}(e[+-]\d\d)? - mae: \d\.\d{4}(e[+-]\d\d)? - val_loss: \d\.\d{4}(e[+-]\d\d)? - val_mae: \d\.\d{4}(e[+-]\d\d)?";
        // verbose 1: the bar's closing line; verbose 2: tf.keras 2's epoch line, the times after the logs.
        var pattern = new Regex(verbose == 1
            ? @"^4/4 \[=+\] - \d+s \d+(us|ms|s)/step - " + logs + "$"
            : @"^4/4 - \d+s - " + logs + @" - \d+(us|ms|s)/epoch - \d+(us|ms|s)/step$");
        Assert.Matches(pattern, lines[1]);
        Assert.Matches(pattern, lines[3]);
    }

    [SkippableFact]
    public void Verbose_0_prints_nothing_even_with_a_logger()
    {
        RequireBackend();
        var (model, x, y) = Setup();
        var output = new StringWriter();
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [new Callbacks.ProgbarLogger(output)]);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public void Asking_whether_it_wants_logs_changes_nothing_the_steps_it_was_told_of_count()
    {
        // A dataset of unknown length: the closing line counts the steps that ended, whether Fit
        // read their logs (OnBatchEnd) or not (OnBatchEndWithoutLogs), however often Fit asked.
        var output = new StringWriter();
        var logger = new Callbacks.ProgbarLogger(output);
        logger.Params = new Callbacks.CallbackParams(Epochs: 1, Steps: null, Verbose: 2);
        logger.OnEpochBegin(0);
        for (int i = 0; i < 3; i++) Assert.False(logger.WantsLogsAfter(9));
        logger.OnBatchEndWithoutLogs(0);
        logger.OnBatchEndWithoutLogs(1);
        Assert.False(logger.WantsLogsAfter(7));
        logger.OnEpochEnd(0, new Dictionary<string, float> { ["loss"] = 0.5f });
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("Epoch 1/1", lines[0]);
        Assert.Matches(@"^2/2 - \d+s - loss: 0\.5000 - \d+(us|ms|s)/epoch - \d+(us|ms|s)/step$", lines[1]); // the steps that ended, not the 9 or 7 asked about
    }

    [Fact]
    public void Numbers_are_formatted_as_Keras_does()
    {
        Assert.Equal("0.1235", ProgressBar.Format(0.12345f));
        Assert.Equal("12.5000", ProgressBar.Format(12.5f));
        Assert.Equal("1.5000e-05", ProgressBar.Format(1.5e-5f));
        Assert.Equal("0.0000e+00", ProgressBar.Format(0f));
        Assert.Equal("-2.0000e-04", ProgressBar.Format(-2e-4f));
    }
}

public sealed class ManagedProgbarLoggerTests() : ProgbarLoggerTests("managed");
public sealed class NativeCpuProgbarLoggerTests() : ProgbarLoggerTests("cpu");
public sealed class CudaProgbarLoggerTests() : ProgbarLoggerTests("cuda");
