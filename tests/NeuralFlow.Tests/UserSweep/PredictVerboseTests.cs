using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// <c>model.predict(x, verbose=0)</c>, the usual way to silence Keras' predict, compiles and prints
/// nothing; <c>verbose: 1</c> prints Keras' last progress line (batches done of batches, time per
/// batch). Predict had no verbose parameter, so a Keras user's call did not compile.
/// </summary>
public abstract class PredictVerboseTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Verbose_one_prints_the_progress_line_and_zero_prints_nothing()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        var x = NF.Ones([13 * 4, 3]);  // 13 batches of 4: a count no other test prints
        var before = Console.Out;
        // Other tests may write to the console meanwhile, from other threads: synchronized writers.
        var quiet = new StringWriter();
        var loud = new StringWriter();
        Tensor silent, printed, fromDataset;
        try
        {
            Console.SetOut(TextWriter.Synchronized(quiet));
            silent = model.Predict(x, batchSize: 4, verbose: 0);
            Console.SetOut(TextWriter.Synchronized(loud));
            printed = model.Predict(x, batchSize: 4, verbose: 1);
            fromDataset = model.Predict(NeuralFlow.Data.Dataset.FromTensorSlices(x).Batch(4), verbose: 1);
        }
        finally
        {
            Console.SetOut(before);
        }
        Assert.DoesNotContain("13/13 ", quiet.ToString());
        Assert.Matches(@"13/13 \[=+\] - \d+s \d+(us|ms|s)/step", loud.ToString());
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(loud.ToString(), "13/13 \\[").Count);
        Assert.Equal(silent.ToArray<float>(), printed.ToArray<float>());
        Assert.Equal(silent.ToArray<float>(), fromDataset.ToArray<float>());
    }
}

public sealed class ManagedPredictVerboseTests() : PredictVerboseTests("managed");

public sealed class NativeCpuPredictVerboseTests() : PredictVerboseTests("cpu");

public sealed class CudaPredictVerboseTests() : PredictVerboseTests("cuda");
