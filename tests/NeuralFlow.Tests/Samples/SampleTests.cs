using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NeuralFlow.Tests.Samples;

/// <summary>
/// Runs each sample (built with the tests: the test project references the sample projects) as
/// <c>dotnet samples/NAME/bin/CONFIG/net10.0/NAME.dll</c> with a small epoch count, once per test
/// run, and checks its exit code, one line of its output and the PNG its <c>--plot</c> wrote.
/// </summary>
public sealed class SampleRuns : IDisposable
{
    /// <summary>Name, arguments, a line the output must contain (regex), the plot's expected width and height (0: no plot).</summary>
    public static readonly (string Name, string Args, string Line, int Width, int Height)[] Samples =
    [
        ("Tensors", "", @"^tensor\(\[1, 2, 3, 4\], shape=\(4,\), dtype=int32\)$", 0, 0),
        ("LinearRegression", "--steps 20", @"^m = 3\.\d{4}, b = -?\d\.\d{4}, loss = \d\.\d{4}$", 600, 450),
        ("LogisticRegression", "--epochs 5", @"^Test loss: \d+\.\d{4} - test accuracy: 0\.\d{4}$", 960, 584),
        ("NeuralNetwork", "--epochs 1", @"^MyModel: loss: \d+\.\d{4} - accuracy: 0\.\d{4}$", 1200, 450),
        ("Pipelines", "--epochs 1 --batch-size 512", @"^Epoch 1/1: Loss: \d+\.\d{4} Accuracy: 0\.\d{4} Test accuracy: 0\.\d{4}$", 1200, 450),
        ("MnistKeras", "--epochs 1", @"^Test loss: \d+\.\d{4} - test accuracy: 0\.\d{4}$", 1200, 450),
        ("ConvNet", "--epochs 1 --samples 2000", @"^Test loss: \d+\.\d{4} - test accuracy: 0\.\d{4}$", 1200, 450),
        ("SaveAndLoad", "--epochs 1 --dir {tmp}/save-and-load", @"^Loaded model: test loss \d+\.\d{4} - test accuracy 0\.\d{4}, optimizer Adam at step \d+$", 0, 0),
        ("FunctionalResNet", "--epochs 1 --examples 2000", @"^Test loss: \d+\.\d{4} - test accuracy: 0\.\d{4}$", 0, 0),
        ("TransferLearning", "--epochs 1 --dir {tmp}/transfer", @"^Fine-tuned and reloaded: test loss \d+\.\d{4} - test accuracy 0\.\d{4}$", 0, 0),
        ("Sequences", "--epochs 2 --sequences 600", @"^Test loss: \d+\.\d{4} - test accuracy: 0\.\d{4}$", 0, 0),
    ];

    /// <summary>Where the samples write their plots.</summary>
    public string PlotFolder { get; } = Directory.CreateTempSubdirectory("neuralflow-samples-").FullName;

    private readonly ConcurrentDictionary<string, Lazy<(int ExitCode, string Output, string Plot)>> _runs = new();

    /// <summary>The result of running sample <paramref name="name"/> (run on first request).</summary>
    public (int ExitCode, string Output, string Plot) Run(string name) =>
        _runs.GetOrAdd(name, n => new Lazy<(int, string, string)>(() => Start(n))).Value;

    private (int, string, string) Start(string name)
    {
        var sample = Samples.Single(s => s.Name == name);
        string dll = Path.Combine(Repo.Root, "samples", name, "bin", Repo.Configuration, "net10.0", name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (or the tests, which reference the samples) in {Repo.Configuration}.");
        string plot = sample.Width > 0 ? Path.Combine(PlotFolder, name + ".png") : "";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        info.ArgumentList.Add(dll);
        foreach (var a in sample.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries)) info.ArgumentList.Add(a.Replace("{tmp}", PlotFolder));
        if (plot.Length > 0) { info.ArgumentList.Add("--plot"); info.ArgumentList.Add(plot); }
        // An empty data folder: MnistKeras must take the embedded sample, never a full MNIST in the user's cache.
        info.Environment["NEURALFLOW_DATA"] = Path.Combine(PlotFolder, "no-data");
        var (exitCode, stdout, stderr) = RunToEnd(info, name);
        return (exitCode, stdout + stderr, plot);
    }

    /// <summary>
    /// How long one sample may run before it counts as hung: far above what the slowest takes on a
    /// loaded machine (a fresh .NET start-up and JIT, then training), so only a hang reaches it.
    /// </summary>
    internal static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(5);

    /// <summary>Runs <paramref name="info"/> (output redirected) to its end; a hung process is killed and fails the test.</summary>
    internal static (int ExitCode, string Stdout, string Stderr) RunToEnd(ProcessStartInfo info, string name)
    {
        using var process = Process.Start(info)!;
        // Both streams asynchronously: a blocking read of stdout would wait for a hung process
        // forever and the limit below would never be reached.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(HangLimit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{name} ran over {HangLimit.TotalSeconds:0} s.\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Deletes the plots.</summary>
    public void Dispose()
    {
        try { Directory.Delete(PlotFolder, recursive: true); } catch (IOException) { }
    }
}

public sealed class SampleTests(SampleRuns runs) : IClassFixture<SampleRuns>
{
    public static TheoryData<string> Names() => new(SampleRuns.Samples.Select(s => s.Name));

    public static TheoryData<string> PlottingNames() => new(SampleRuns.Samples.Where(s => s.Width > 0).Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void SampleRunsAndPrintsItsResult(string name)
    {
        var (exitCode, output, _) = runs.Run(name);
        Assert.True(exitCode == 0, $"{name} exited with {exitCode}:\n{output}");
        string line = SampleRuns.Samples.Single(s => s.Name == name).Line;
        Assert.True(Regex.IsMatch(output, line, RegexOptions.Multiline), $"{name}: no line matches {line} in:\n{output}");
    }

    [Fact]
    public void MnistKerasSaysItTrainsOnTheSampleWhenTheFullMnistIsAbsent()
    {
        var (_, output, _) = runs.Run("MnistKeras");
        Assert.Contains("Full MNIST not found", output);
    }

    [Theory]
    [MemberData(nameof(PlottingNames))]
    public void SamplePlotIsAPngOfTheExpectedSize(string name)
    {
        var (exitCode, output, plot) = runs.Run(name);
        Assert.True(exitCode == 0, $"{name} exited with {exitCode}:\n{output}");
        Assert.Contains($"Plot: {plot}", output);
        var (width, height) = PngSize(File.ReadAllBytes(plot));
        var expected = SampleRuns.Samples.Single(s => s.Name == name);
        Assert.Equal((expected.Width, expected.Height), (width, height));
    }

    /// <summary>The model SaveAndLoad saved, loaded in a fresh process, predicts the trained model's exact bits.</summary>
    [Fact]
    public void SaveAndLoadPredictsTheSameBitsInAFreshProcess()
    {
        var (exitCode, output, _) = runs.Run("SaveAndLoad");
        Assert.True(exitCode == 0, output);
        string trained = Regex.Match(output, @"^Trained model predictions: (\w+)$", RegexOptions.Multiline).Groups[1].Value;
        Assert.NotEmpty(trained);
        string dll = Path.Combine(Repo.Root, "samples", "SaveAndLoad", "bin", Repo.Configuration, "net10.0", "SaveAndLoad.dll");
        var info = new ProcessStartInfo("dotnet", [dll, "predict", "--dir", Path.Combine(runs.PlotFolder, "save-and-load")])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        var (predictExit, fresh, stderr) = SampleRuns.RunToEnd(info, "SaveAndLoad predict");
        Assert.True(predictExit == 0, fresh + stderr);
        Assert.Contains($"Loaded model predictions: {trained}", fresh);
    }

    [Fact]
    public void UnknownArgumentExitsWithTwo()
    {
        string dll = Path.Combine(Repo.Root, "samples", "Pipelines", "bin", Repo.Configuration, "net10.0", "Pipelines.dll");
        var info = new ProcessStartInfo("dotnet", [dll, "--epoch", "1"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var (exitCode, _, error) = SampleRuns.RunToEnd(info, "Pipelines --epoch 1");
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown argument --epoch", error);
    }

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature.</summary>
    internal static (int Width, int Height) PngSize(byte[] png)
    {
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(png.Length > 33, $"a PNG has at least 33 bytes; got {png.Length}");
        Assert.Equal(signature, png[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8)));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
