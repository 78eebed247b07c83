using System.Globalization;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe12;

/// <summary>
/// What a resumed run records: CSVLogger keeps the validation columns of a Fit that validates
/// every other epoch (its first row had none, and the validation values were dropped), History
/// says which epochs it holds (Keras' <c>history.epoch</c>), CSVLogger(append) continues the rows
/// of the killed run, and a damaged backup or a backup directory that is a file fail naming it.
/// </summary>
public abstract class ResumeLogTests(string backend) : BackendFileTest(backend)
{
    private static (Tensor X, Tensor Y) Data() => ProbeData.SignOfSum(24);

    private static Sequential Compiled() => ProbeData.SmallClassifier();

    private static string Cell(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    // Keras' CSVLogger: a first epoch without "val_" logs gets their columns anyway (val_ + each key).
    [SkippableFact]
    public void Csv_logger_keeps_validation_that_runs_every_other_epoch()
    {
        RequireBackend();
        var (x, y) = Data();
        string csv = Temp.File("log.csv");
        var h = Compiled().Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, validationData: (x, y), validationFreq: 2,
                               callbacks: [new Callbacks.CSVLogger(csv)]);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal($"0,{Cell(h["accuracy"][0])},{Cell(h["loss"][0])},NA,NA", lines[1]);
        Assert.Equal($"1,{Cell(h["accuracy"][1])},{Cell(h["loss"][1])},{Cell(h["val_accuracy"][0])},{Cell(h["val_loss"][0])}", lines[2]);
        Assert.EndsWith($",{Cell(h["val_accuracy"][1])},{Cell(h["val_loss"][1])}", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [SkippableFact]
    public void A_resumed_fit_records_its_epochs_and_appends_to_the_csv()
    {
        RequireBackend();
        var (x, y) = Data();
        string dir = Temp.File("backup dir ü"), csv = Temp.File("log.csv");
        var kill = new Callbacks.LambdaCallback(onEpochBegin: e => { if (e == 2) throw new TimeoutException("killed"); });
        Assert.Throws<TimeoutException>(() => Compiled().Fit(x, y, batchSize: 8, epochs: 5, verbose: 0,
            callbacks: [new Callbacks.BackupAndRestore(dir), new Callbacks.CSVLogger(csv, append: true), kill]));
        var h = Compiled().Fit(x, y, batchSize: 8, epochs: 5, verbose: 0,
                               callbacks: [new Callbacks.BackupAndRestore(dir), new Callbacks.CSVLogger(csv, append: true)]);
        Assert.Equal(new[] { 2, 3, 4 }, h.Epoch);
        Assert.Equal(3, h["loss"].Count);
        var lines = File.ReadAllLines(csv);
        // One header, the resumed run appends under it; as Keras, a run without validation still
        // has the val_ columns (NA).
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.EndsWith(",NA,NA", l));
        Assert.Equal(new[] { "0", "1", "2", "3", "4" }, lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(Cell(h["loss"][0]), lines[3].Split(',')[2]);
        Assert.False(Directory.Exists(dir));                // the finished run removes its backup
        Assert.Equal(new[] { 0, 1 }, Compiled().Fit(x, y, batchSize: 8, epochs: 2, verbose: 0).Epoch);
    }

    [SkippableFact]
    public void A_truncated_backup_fails_naming_it_and_how_to_go_on()
    {
        RequireBackend();
        var (x, y) = Data();
        string dir = Temp.File("backup");
        Compiled().Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir, deleteCheckpoint: false)]);
        string file = Assert.Single(Directory.GetFiles(dir));
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() =>
            Compiled().Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]));
        Assert.StartsWith("BackupAndRestore: ", e.Message);
        Assert.Contains(file, e.Message);
        Assert.Contains("Delete it", e.Message);
        File.Delete(file);
        Assert.Equal(new[] { 0, 1, 2 }, Compiled().Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]).Epoch);
    }

    [SkippableFact]
    public void A_backup_directory_that_is_a_file_is_named()
    {
        RequireBackend();
        var (x, y) = Data();
        string dir = Temp.File("backup");
        File.WriteAllText(dir, "notes");
        var e = Assert.Throws<IOException>(() =>
            Compiled().Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]));
        Assert.Contains("is a file", e.Message);
        Assert.Equal("notes", File.ReadAllText(dir));
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedResumeLogTests() : ResumeLogTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuResumeLogTests() : ResumeLogTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaResumeLogTests() : ResumeLogTests("cuda");
