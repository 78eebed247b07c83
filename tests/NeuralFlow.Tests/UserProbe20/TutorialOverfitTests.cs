using System.Globalization;
using System.IO.Compression;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// TensorFlow's "Overfit and underfit" tutorial (site/en/tutorials/keras/overfit_and_underfit.ipynb) on a
/// small gzipped stand-in for HIGGS.csv.gz: CsvDataset with compression, pack_row over batches then
/// unbatch, take/skip/cache, shuffle/repeat/batch with steps_per_epoch, the tiny to large models' counts
/// (Keras' formulas), compile_and_fit with BinaryCrossentropy(from_logits) as loss and named metric,
/// EarlyStopping on val_binary_crossentropy and TensorBoard, "accuracy" on logits as Keras reads it, and
/// add_n(l2_model.losses) as 0.001 times the kernels' squares.
/// </summary>
public abstract class TutorialOverfitTests(string backend) : BackendFileTest(backend)
{
    private const int Features = 28;

    // Rows of a label then 28 features; the label is 1 where a few features' combination is positive.
    private string WriteHiggs(int rows)
    {
        string path = Temp.File("HIGGS.csv.gz");
        var random = new Random(7);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip);
        for (int r = 0; r < rows; r++)
        {
            var features = Enumerable.Range(0, Features).Select(_ => Math.Round(random.NextDouble() * 4 - 2, 4)).ToArray();
            double signal = features[0] + 0.5 * features[1] - features[2] * features[3];
            writer.WriteLine(string.Join(",", new[] { signal > 0 ? 1.0 : 0.0 }.Concat(features).Select(v => v.ToString(CultureInfo.InvariantCulture))));
        }
        return path;
    }

    private static Dataset<(Tensor, Tensor)> Packed(string gz)
    {
        var ds = new CsvDataset(gz, Enumerable.Repeat<object?>(0f, Features + 1).ToArray(), compressionType: "GZIP");
        // pack_row(*row): the label, and the other columns stacked on axis 1, over batches of rows.
        return ds.Batch(1000).Map(row => (NF.Stack(Enumerable.Range(1, Features).Select(i => row[i]).ToArray(), axis: 1), row[0])).Unbatch();
    }

    [SkippableFact]
    public void Pack_row_over_gzipped_csv_batches_unbatches_into_feature_vectors_and_labels()
    {
        RequireBackend();
        string gz = WriteHiggs(120);
        var packed = Packed(gz);
        var firstLine = ReadFirstLine(gz).Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var (features, label) = packed.First();
        Assert.Equal(new[] { Features }, features.Shape.ToArray());
        Assert.Equal(0, label.Rank);
        Assert.Equal(firstLine[1..], features.ToArray<float>());
        Assert.Equal(firstLine[0], label.Item<float>());

        var validate = packed.Take(20).Cache();
        var train = packed.Skip(20).Take(100).Cache();
        Assert.Equal(20, validate.Count());
        Assert.Equal(100, train.Count());
        var (batch, labels) = packed.Batch(50).First();
        Assert.Equal(new[] { 50, Features }, batch.Shape.ToArray());
        Assert.Equal(new[] { 50 }, labels.Shape.ToArray());
    }

    private static string ReadFirstLine(string gz)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress));
        return reader.ReadLine()!;
    }

    [SkippableFact]
    public void The_tiny_to_large_models_have_kerass_parameter_counts()
    {
        RequireBackend();
        static Sequential Model(params int[] widths) => new(Layers.Input([Features]),
            [.. widths.Select(w => (Layer)new Layers.Dense(w, activation: "elu")), new Layers.Dense(1)]);
        // Dense(n) after m inputs: m * n + n.
        Assert.Equal(28 * 16 + 16 + 17, Model(16).CountParams());
        Assert.Equal(464 + 16 * 16 + 16 + 17, Model(16, 16).CountParams());
        Assert.Equal(28 * 64 + 64 + 2 * (64 * 64 + 64) + 65, Model(64, 64, 64).CountParams());
        Assert.Equal(28 * 512 + 512 + 3 * (512 * 512 + 512) + 513, Model(512, 512, 512, 512).CountParams());
    }

    [SkippableFact]
    public void Compile_and_fit_stops_on_val_binary_crossentropy_and_accuracy_reads_logits_as_keras()
    {
        RequireBackend();
        NF.Random.SetSeed(51);
        var packed = Packed(WriteHiggs(360));
        const int batchSize = 40, nTrain = 240, stepsPerEpoch = nTrain / batchSize;
        var validateDs = packed.Take(120).Cache().Batch(batchSize);
        var trainDs = packed.Skip(120).Take(nTrain).Cache().Shuffle(nTrain).Repeat().Batch(batchSize);
        var lrSchedule = new InverseTimeDecay(0.001, decaySteps: stepsPerEpoch * 1000, decayRate: 1, staircase: false);
        Assert.Equal(0.001 / (1 + 3000.0 / 6000), lrSchedule.At(3000), 12);

        var model = new Sequential(Layers.Input([Features]), new Layers.Dense(16, activation: "elu"), new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(lrSchedule), new Losses.BinaryCrossentropy(fromLogits: true),
            metrics: [new Metrics.BinaryCrossentropy(fromLogits: true, name: "binary_crossentropy"), "accuracy"]);
        var earlyStopping = new Callbacks.EarlyStopping(monitor: "val_binary_crossentropy", patience: 2);
        string logdir = Temp.File("tensorboard_logs");
        var history = model.Fit(trainDs.Map((x, y) => (x, NF.ExpandDims(y, -1))), stepsPerEpoch: stepsPerEpoch, epochs: 6,
            validationData: validateDs.Map((x, y) => (x, NF.ExpandDims(y, -1))),
            callbacks: [earlyStopping, new Callbacks.TensorBoard(Path.Combine(logdir, "sizes", "Tiny"))], verbose: 0);
        Assert.Equal(new[] { "loss", "binary_crossentropy", "accuracy", "val_loss", "val_binary_crossentropy", "val_accuracy" }, history.Keys);
        Assert.Equal(6 * stepsPerEpoch, model.Optimizer!.Iterations);   // the repeated dataset gives each epoch its steps
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(logdir, "sizes", "Tiny"), "events.out.tfevents.*", SearchOption.AllDirectories));

        // The validation logs of the last epoch, from the logits: binary_crossentropy the mean of
        // max(z, 0) - z y + log(1 + exp(-|z|)), and "accuracy" Keras' binary accuracy on the logits (z > 0.5).
        var (x, y) = packed.Take(120).Batch(120).First();
        var logits = model.Predict(x).ToArray<float>();
        var labels = y.ToArray<float>();
        double bce = logits.Zip(labels, (z, t) => Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)))).Average();
        double accuracy = logits.Zip(labels, (z, t) => (z > 0.5f) == (t > 0.5f) ? 1.0 : 0.0).Average();
        Assert.Equal(bce, history["val_binary_crossentropy"][^1], 4);
        Assert.Equal(bce, history["val_loss"][^1], 4);
        Assert.Equal(accuracy, history["val_accuracy"][^1], 5);
    }

    // A user schedule that knows whole steps only (Keras' LearningRateSchedule.__call__ of an int step).
    private sealed class Halving : LearningRateSchedule
    {
        public override double At(long step) => 0.1 / (1L << (int)Math.Min(step, 62));
    }

    [SkippableFact]
    public void The_schedule_called_on_a_tensor_of_steps_gives_the_rates_the_tutorial_plots()
    {
        RequireBackend();
        // step = np.linspace(0, 100000); lr = lr_schedule(step), STEPS_PER_EPOCH = 20: fractional steps, float rates.
        var lrSchedule = new InverseTimeDecay(0.001, decaySteps: 20 * 1000, decayRate: 1, staircase: false);
        var step = NF.Linspace(0, 100000, 50);
        var lr = lrSchedule.Call(step);
        Assert.Equal(DType.Float32, lr.DType);
        Assert.Equal(new[] { 50 }, lr.Shape.ToArray());
        var want = Enumerable.Range(0, 50).Select(i => (float)(0.001 / (1 + 100000.0 * i / 49 / 20000))).ToArray();
        var got = lr.ToArray<float>();
        for (int i = 0; i < 50; i++) Assert.Equal(want[i], got[i], 1e-9f);
        Assert.Equal(0.001 / (1 + 0.5 / 20000), lrSchedule.At(0.5), 15);
        // The staircase floors the fractional epoch as Keras' ops.floor does.
        Assert.Equal(0.001, new InverseTimeDecay(0.001, 10, 1, staircase: true).At(9.5), 15);
        Assert.Equal(0.0005, new ExponentialDecay(0.001, 10, 0.25).At(5.0), 15);

        // A schedule of whole steps takes whole steps from a tensor, and names a fractional one.
        Assert.Equal(new[] { 0.1f, 0.05f, 0.025f }, new Halving().Call(NF.Constant(new[] { 0, 1, 2 })).ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => new Halving().Call(NF.Constant(new[] { 0.5f })));
        Assert.Contains("Halving", e.Message);
        Assert.Contains("0.5", e.Message);
    }

    [SkippableFact]
    public void Add_n_of_the_l2_models_losses_is_the_penalty_of_its_kernels()
    {
        RequireBackend();
        NF.Random.SetSeed(52);
        var l2Model = new Sequential(Layers.Input([Features]),
            new Layers.Dense(32, activation: "elu", kernelRegularizer: new Regularizers.L2(0.001)),
            new Layers.Dense(32, activation: "elu", kernelRegularizer: new Regularizers.L2(0.001)),
            new Layers.Dense(1));
        var features = NF.Random.Normal([10, Features]);
        var result = l2Model.Call(features);
        Assert.Equal(new[] { 10, 1 }, result.Shape.ToArray());
        Assert.Equal(2, l2Model.Losses.Count);
        var regularizationLoss = NF.AddN([.. l2Model.Losses]);
        double penalty = l2Model.Layers.Take(2).Sum(l => 0.001 * ((Layers.Dense)l).Kernel!.ToArray<float>().Sum(w => (double)w * w));
        Assert.Equal(penalty, regularizationLoss.Item<float>(), 5);
    }
}

/// <summary>The overfit and underfit tutorial on the managed backend.</summary>
public sealed class ManagedTutorialOverfitTests() : TutorialOverfitTests("managed");

/// <summary>The overfit and underfit tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialOverfitTests() : TutorialOverfitTests("cpu");

/// <summary>The overfit and underfit tutorial on CUDA.</summary>
public sealed class CudaTutorialOverfitTests() : TutorialOverfitTests("cuda");
