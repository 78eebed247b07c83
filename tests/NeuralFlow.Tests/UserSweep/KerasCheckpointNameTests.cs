using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// ModelCheckpoint paths as Keras' documentation writes them, with Python format specs:
/// <c>"model.{epoch:02d}-{val_loss:.2f}.keras"</c>. .NET read "02d" as a custom format, so epoch 1
/// became "12d" and ".2f" kept only a literal: the files had wrong names and a later epoch could
/// overwrite an earlier one's.
/// </summary>
public abstract class KerasCheckpointNameTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Python_format_specs_name_the_checkpoint_files_as_keras_does()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        var x = NF.Random.Normal([8, 3]);
        var y = NF.Random.Normal([8, 1]);
        var model = new Sequential(new Layers.Dense(1));
        model.Compile(new Optimizers.SGD(0.01), "mse");
        var history = model.Fit(x, y, epochs: 2, verbose: 0, callbacks: [new Callbacks.ModelCheckpoint(Temp.File("m.{epoch:02d}-{loss:.2f}.keras"), monitor: "loss")]);
        // Python: f"m.{1:02d}-{0.8765:.2f}.keras" == "m.01-0.88.keras"
        var expected = history["loss"].Select((loss, e) => $"m.{e + 1:00}-{loss.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}.keras");
        Assert.Equal(expected.Order(), Directory.GetFiles(Temp.Path).Select(Path.GetFileName).Order());
    }

    [SkippableFact]
    public void Python_and_dotnet_specs_format_as_their_languages_do()
    {
        RequireBackend();
        var logs = new Dictionary<string, float> { ["val_loss"] = 0.012345f, ["delta"] = -0.5f };
        // Each expected string is Python's own: format(7, "03d"), format(0.012345, ".3f"),
        // format(0.012345, ".2e"), format(-0.5, "06.2f"), format(7, "4d"), format(0.012345, "f").
        Assert.Equal("007-0.012-1.23e-02--00.50-   7-0.012345", Callbacks.ModelCheckpoint.FormatPath(
            "{epoch:03d}-{val_loss:.3f}-{val_loss:.2e}-{delta:06.2f}-{epoch:4d}-{val_loss:f}", 7, logs));
        // .NET formats still work as before.
        Assert.Equal("07-0.012", Callbacks.ModelCheckpoint.FormatPath("{epoch:00}-{val_loss:0.000}", 7, logs));
        // As Python refuses format(0.5, "d"), a whole-number spec for a fraction is refused, naming it.
        var e = Assert.Throws<FormatException>(() => Callbacks.ModelCheckpoint.FormatPath("{delta:02d}", 1, logs));
        Assert.Contains("02d", e.Message);
    }
}

public sealed class ManagedKerasCheckpointNameTests() : KerasCheckpointNameTests("managed");

public sealed class NativeCpuKerasCheckpointNameTests() : KerasCheckpointNameTests("cpu");

public sealed class CudaKerasCheckpointNameTests() : KerasCheckpointNameTests("cuda");
