using NeuralFlow.Data;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserProbe25.TutorialSimpleAudioFolder;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The simple audio tutorial's model cells in C#: the Sequential of Input, Resizing(32, 32), an adapted
/// Normalization, two Conv2D, MaxPooling2D, Dropout, Flatten and Dense layers, compiled with Adam and
/// SparseCategoricalCrossentropy(from_logits=True), fit with EarlyStopping(verbose=1, patience=2),
/// evaluated, its argmax predictions in tf.math.confusion_matrix, and the tutorial's ExportModel (a file
/// name or a batch of waveforms in; predictions, class_ids and class_names out) before and after saving.
/// Training is checked for what can be checked without a peer: it runs, the loss falls, and the same seed
/// gives the same history twice.
/// </summary>
public abstract class TutorialSimpleAudioModelTests(string backend) : BackendFileTest(backend)
{
    private const int Epochs = 10;   // the tutorial's EPOCHS

    private sealed record Run(Sequential Model, History History, Dataset<(Tensor, Tensor)> Test, string[] LabelNames, string DataDir, string Printed);

    private Run Train(string dataDir)
    {
        var (trainDs, valDs) = Utils.AudioDatasetsFromDirectory(dataDir, validationSplit: 0.2, seed: 0, batchSize: 4,
                                                                 outputSequenceLength: 16000, verbose: false);
        var labelNames = trainDs.ClassNames!.ToArray();
        var val = Squeeze(valDs);
        var test = val.Shard(numShards: 2, index: 0);
        val = val.Shard(numShards: 2, index: 1);
        var trainSpectrogramDs = MakeSpecDs(Squeeze(trainDs)).Cache().Shuffle(10000).Prefetch(Dataset.Autotune);
        var valSpectrogramDs = MakeSpecDs(val).Cache().Prefetch(Dataset.Autotune);
        var testSpectrogramDs = MakeSpecDs(test).Cache().Prefetch(Dataset.Autotune);

        var (exampleSpectrograms, _) = trainSpectrogramDs.Take(1).First();
        var inputShape = exampleSpectrograms.Shape[1..];
        int numLabels = labelNames.Length;
        var normLayer = new Layers.Normalization();
        normLayer.Adapt(trainSpectrogramDs.Map((spec, label) => spec));
        var model = new Sequential(
            Layers.Input(inputShape),
            new Layers.Resizing(32, 32),
            normLayer,
            new Layers.Conv2D(32, 3, activation: "relu"),
            new Layers.Conv2D(64, 3, activation: "relu"),
            new Layers.MaxPooling2D(),
            new Layers.Dropout(0.25),
            new Layers.Flatten(),
            new Layers.Dense(128, activation: "relu"),
            new Layers.Dropout(0.5),
            new Layers.Dense(numLabels));
        model.Compile(new Optimizers.Adam(), new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        // EarlyStopping(verbose=1) prints its line to the console: kept to check it against the history.
        var printed = new StringWriter();
        var console = Console.Out;
        Console.SetOut(printed);
        History history;
        try
        {
            history = model.Fit(trainSpectrogramDs, validationData: valSpectrogramDs, epochs: Epochs, verbose: 0,
                                callbacks: [new Callbacks.EarlyStopping(verbose: 1, patience: 2)]);
        }
        finally { Console.SetOut(console); }
        return new Run(model, history, testSpectrogramDs, labelNames, dataDir, printed.ToString());
    }

    /// <summary>The tutorial's ExportModel(tf.Module): its traced __call__ takes a file name or a waveform batch.</summary>
    private sealed class ExportModel
    {
        private readonly Func<Tensor, (Tensor, Tensor)> _call;
        private readonly StringTensor _labelNames;

        /// <summary>The waveform signature, as the tutorial's get_concrete_function(x=TensorSpec([None, 16000], float32)).</summary>
        public ConcreteFunction Waveforms { get; }

        public ExportModel(Model model, string[] labelNames)
        {
            _labelNames = new StringTensor(labelNames);
            _call = NF.Function((Tensor x) =>
            {
                var result = model.Call(GetSpectrogram(x), training: false);
                return (result, NF.ArgMax(result, axis: -1));
            });
            Waveforms = _call.GetConcreteFunction(new TensorSpec([null, 16000], DType.Float32));
        }

        // x.dtype == tf.string: read the file, decode it to one second of mono, and make a batch of it.
        public (Tensor Predictions, Tensor ClassIds, StringTensor ClassNames) Call(string fileName)
        {
            var contents = NF.IO.ReadFile(fileName);
            var (x, _) = NF.Audio.DecodeWav(contents, desiredChannels: 1, desiredSamples: 16000);
            return Call(NF.Squeeze(x, axis: -1)[NF.NewAxis, ..]);
        }

        public (Tensor Predictions, Tensor ClassIds, StringTensor ClassNames) Call(Tensor waveforms)
        {
            var (predictions, classIds) = _call(waveforms);
            var classNames = NF.Gather(_labelNames, classIds);
            return (predictions, classIds, classNames);
        }
    }

    [SkippableFact]
    public void The_model_trains_evaluates_and_fills_a_confusion_matrix()
    {
        RequireBackend();
        NF.Random.SetSeed(42);
        var run = Train(Write(Temp.Path));
        var model = run.Model;
        // Conv 3*3*1*32+32, 3*3*32*64+64, Dense 14*14*64*128+128, 128*4+4, and Normalization's mean, variance and count.
        Assert.Equal(320 + 18_496 + 1_605_760 + 516 + 3, model.CountParams());
        var history = run.History;
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys);
        Assert.InRange(history.Epochs, 3, Epochs);
        Assert.Equal(Enumerable.Range(0, history.Epochs), history.Epoch);
        // Stopped early: Keras' "Epoch N: early stopping" (1-based); ran all epochs: no such line.
        if (history.Epochs < Epochs) Assert.Contains($"Epoch {history.Epochs}: early stopping", run.Printed);
        else Assert.DoesNotContain("early stopping", run.Printed);
        var loss = history["loss"];
        Assert.True(loss[^1] < 0.5f * loss[0], $"the training loss did not fall: {string.Join(", ", loss)}");

        var result = model.Evaluate(run.Test);
        Assert.Equal(new[] { "loss", "accuracy" }, result.Keys);
        Assert.InRange(result["accuracy"], 0f, 1f);

        var yPred = NF.ArgMax(model.Predict(run.Test), axis: 1);
        var yTrue = NF.Concat(run.Test.Map((s, lab) => lab).ToList(), axis: 0);
        Assert.Equal(new Shape(4), yPred.Shape);
        var confusionMtx = NF.ConfusionMatrix(yTrue, yPred);
        long[] truth = Array.ConvertAll(yTrue.ToArray<int>(), v => (long)v), predicted = yPred.ToArray<long>();
        int classes = (int)Math.Max(truth.Max(), predicted.Max()) + 1;   // no num_classes: the largest label + 1
        Assert.Equal(new Shape(classes, classes), confusionMtx.Shape);
        var expected = new int[classes, classes];
        for (int i = 0; i < 4; i++) expected[truth[i], predicted[i]]++;
        Assert.Equal(expected.Cast<int>(), confusionMtx.ToArray<int>());
        Assert.Equal(result["accuracy"], (float)Enumerable.Range(0, classes).Sum(c => expected[c, c]) / 4, 1e-6f);
    }

    [SkippableFact]
    public void The_same_seed_trains_to_the_same_history_twice()
    {
        RequireBackend();
        string dataDir = Write(Temp.Path);
        NF.Random.SetSeed(42);
        var first = Train(dataDir);
        NF.Random.SetSeed(42);
        var second = Train(dataDir);
        // The CPU engines are deterministic: bit for bit. The CUDA engine's reductions may order their sums by thread
        // timing (TensorFlow too, unless op determinism is enabled): within float32 rounding of each other there.
        bool exact = BackendName != "cuda";
        Func<float, float, bool> same = (a, b) => exact ? a.Equals(b) : Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(b));
        foreach (var key in first.History.Keys)
            Assert.Equal(first.History[key], second.History[key], same);
        Assert.Equal(first.Model.Predict(first.Test).ToArray<float>(), second.Model.Predict(second.Test).ToArray<float>(), same);
    }

    [SkippableFact]
    public void The_export_model_takes_a_file_name_or_a_waveform_batch_before_and_after_saving()
    {
        RequireBackend();
        NF.Random.SetSeed(43);
        var run = Train(Write(Temp.Path));
        var export = new ExportModel(run.Model, run.LabelNames);

        // export(tf.constant(str(data_dir/'no/01_nohash_0.wav')))
        string file = Path.Combine(run.DataDir, "no", "01_nohash_0.wav");
        var (predictions, classIds, classNames) = export.Call(file);
        Assert.Equal(new Shape(1, 4), predictions.Shape);
        Assert.Equal(DType.Int64, classIds.DType);
        Assert.Equal(new Shape(1), classNames.Shape);
        Assert.Equal(run.LabelNames[classIds[0].Item<long>()], classNames.ToArray()[0]);

        // The waveform signature: the same clip as a batch of one gives the same answer, and Predict's logits.
        var (x, _) = NF.Audio.DecodeWav(File.ReadAllBytes(file), desiredChannels: 1, desiredSamples: 16000);
        var waveform = NF.Squeeze(x, axis: -1);
        var spectrogram = GetSpectrogram(waveform)[NF.NewAxis, NF.Ellipsis];
        var prediction = run.Model.Call(spectrogram);
        Assert.Equal(1f, NF.ReduceSum(NF.Softmax(prediction[0])).Item<float>(), 1e-5f);
        var fromBatch = export.Call(waveform[NF.NewAxis, ..]);
        Assert.Equal(predictions.ToArray<float>(), fromBatch.Predictions.ToArray<float>(), new UserProbe24.Near(1e-5f));
        Assert.Equal(prediction.ToArray<float>(), fromBatch.Predictions.ToArray<float>(), new UserProbe24.Near(1e-4f));

        // A batch of several waveforms: one class id and name per clip.
        var (testSpectrograms, _) = run.Test.First();
        var batch = NF.Concat([NF.ExpandDims(waveform, 0), NF.ExpandDims(waveform, 0) * 0.5f], axis: 0);
        var two = export.Call(batch);
        Assert.Equal(new Shape(2, 4), two.Predictions.Shape);
        Assert.Equal(2, two.ClassNames.Count);
        // The concrete waveform signature takes any batch of one-second clips and refuses other lengths.
        var concrete = export.Waveforms.Call(batch);
        Assert.Equal(two.Predictions.ToArray<float>(), concrete[0].ToArray<float>(), new UserProbe24.Near(1e-6f));
        Assert.Throws<ArgumentException>(() => export.Waveforms.Call(NF.Zeros([1, 8000])));
        Assert.Equal(new Shape(4, 124, 129, 1), testSpectrograms.Shape);

        // tf.saved_model.save(export, "saved"); imported = tf.saved_model.load("saved"): the model round-trips
        // through a .keras file and the exported function over it answers as before.
        string path = SaveTo(run.Model, "simple_audio.keras");
        var imported = new ExportModel(Models.LoadModel(path), run.LabelNames);
        var again = imported.Call(waveform[NF.NewAxis, ..]);
        Assert.Equal(fromBatch.Predictions.ToArray<float>(), again.Predictions.ToArray<float>(), new UserProbe24.Near(1e-5f));
        Assert.Equal(fromBatch.ClassNames, again.ClassNames);
    }
}

/// <summary>The simple audio tutorial's model cells on the managed backend.</summary>
public sealed class ManagedTutorialSimpleAudioModelTests() : TutorialSimpleAudioModelTests("managed");

/// <summary>The simple audio tutorial's model cells on the native CPU backend.</summary>
public sealed class NativeCpuTutorialSimpleAudioModelTests() : TutorialSimpleAudioModelTests("cpu");

/// <summary>The simple audio tutorial's model cells on CUDA.</summary>
public sealed class CudaTutorialSimpleAudioModelTests() : TutorialSimpleAudioModelTests("cuda");
