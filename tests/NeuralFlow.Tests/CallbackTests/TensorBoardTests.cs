using System.Diagnostics;
using System.Text.Json;
using NeuralFlow.IO;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.CallbackTests;

/// <summary>
/// Callbacks.TensorBoard (issue 16) writes event files that an independent reader
/// (read_tfevents.py: TFRecord framing, CRC-32C and the protobuf wire format from their
/// specifications) decodes into the values Fit logged.
/// </summary>
public sealed class TensorBoardTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_masked_crc_is_tfrecords()
    {
        // CRC-32C("123456789") = 0xE3069283 (RFC 3720's check value); masked as TFRecord masks it.
        uint crc = 0xE3069283;
        Assert.Equal(((crc >> 15) | (crc << 17)) + 0xa282ead8, NeuralFlow.IO.TFRecord.TFRecordFraming.MaskedCrc("123456789"u8));
    }

    [SkippableFact]
    public void Fit_logs_scalars_histograms_and_the_summary_that_an_independent_reader_decodes()
    {
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([16, 3]);
        var y = NF.ReduceSum(x, 1, keepDims: true);
        var model = new Sequential(new Keras.Layers.Dense(2, name: "tb_dense"), new Keras.Layers.Dense(1, name: "tb_out"));
        model.Compile(new Optimizers.SGD(0.05f), new Losses.MeanSquaredError());
        var board = new Callbacks.TensorBoard(_temp.File("logs"), histogramFreq: 1, updateFreq: 2);
        var history = model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false, validationData: (x, y), callbacks: [board]);

        Assert.StartsWith(Path.Combine(_temp.File("logs"), "train", "events.out.tfevents."), board.TrainEventFile);
        var train = Read(python, board.TrainEventFile!);
        Assert.Equal("brain.Event:2", train[0].GetProperty("file_version").GetString());
        var values = train.SelectMany(e => e.GetProperty("values").EnumerateArray().Select(v => (Step: e.TryGetProperty("step", out var s) ? s.GetInt64() : 0, V: v))).ToList();
        float Scalar(string tag, long step) => values.Single(v => v.V.GetProperty("tag").GetString() == tag && v.Step == step).V.GetProperty("simple_value").GetSingle();

        for (int epoch = 0; epoch < 2; epoch++)
        {
            Assert.Equal(history["loss"][epoch], Scalar("epoch_loss", epoch));
            Assert.Equal(0.05f, Scalar("epoch_learning_rate", epoch));
        }
        // 4 batches per epoch, every 2nd logged, at the global step.
        Assert.Equal([2L, 4, 6, 8], values.Where(v => v.V.GetProperty("tag").GetString() == "batch_loss").Select(v => v.Step));
        var summary = values.Single(v => v.V.GetProperty("tag").GetString() == "keras_model_summary").V;
        Assert.Equal("text", summary.GetProperty("plugin").GetString());
        Assert.Contains("Total params: 11", summary.GetProperty("text").GetString());
        // The last epoch's histogram of the kernel holds the final weights.
        var kernel = model.Variables.Single(v => v.Name == "tb_dense/kernel").ToArray<float>();
        var histo = values.Single(v => v.V.GetProperty("tag").GetString() == "tb_dense/kernel/histogram" && v.Step == 1).V.GetProperty("histo");
        Assert.Equal(kernel.Length, histo.GetProperty("num").GetDouble());
        Assert.Equal(kernel.Min(), histo.GetProperty("min").GetDouble(), 6);
        Assert.Equal(kernel.Max(), histo.GetProperty("max").GetDouble(), 6);
        Assert.Equal(kernel.Sum(v => (double)v), histo.GetProperty("sum").GetDouble(), 5);
        Assert.Equal(kernel.Length, histo.GetProperty("bucket").EnumerateArray().Sum(b => b.GetDouble()));

        var validation = Read(python, board.ValidationEventFile!);
        var val = validation.SelectMany(e => e.GetProperty("values").EnumerateArray().Select(v => (Step: e.TryGetProperty("step", out var s) ? s.GetInt64() : 0, V: v))).ToList();
        Assert.Equal(history["val_loss"], val.Where(v => v.V.GetProperty("tag").GetString() == "epoch_loss").OrderBy(v => v.Step).Select(v => v.V.GetProperty("simple_value").GetSingle()));
    }

    [Fact]
    public void A_bad_update_frequency_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new Callbacks.TensorBoard(updateFreq: "sometimes"));
        Assert.Contains("updateFreq", e.Message);
    }

    // The independent reader's events of one file (also read by the examples that write their own scalars).
    internal static List<JsonElement> Read(string python, string file)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "CallbackTests", "read_tfevents.py");
        ProcessStartInfo start;
        try { start = new ProcessStartInfo(python, $"\"{script}\" \"{file}\"") { RedirectStandardOutput = true, RedirectStandardError = true }; }
        catch (System.ComponentModel.Win32Exception) { throw new SkipException("no Python here: the independent event-file reader cannot run"); }
        Process p;
        try { p = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception) { throw new SkipException("no Python here: the independent event-file reader cannot run"); }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"read_tfevents.py failed: {stderr.Result}");
            return JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        }
    }
}
