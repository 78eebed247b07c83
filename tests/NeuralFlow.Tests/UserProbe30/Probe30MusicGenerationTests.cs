using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// TensorFlow's "Generate music with an RNN" (site/en/tutorials/audio/music_generation.ipynb) on 153 made-up notes
/// (float64 columns pitch, step, duration, as pandas hands them over): create_sequences (window + flat_map + batch, pitch
/// scaled by [vocab_size, 1, 1], the last note split into a dictionary of labels), the LSTM with three named heads
/// built from a dictionary of outputs, a loss dictionary with the tutorial's mse_with_positive_pressure, evaluate before
/// and after loss_weights, fit with ModelCheckpoint and EarlyStopping(monitor="loss", restore_best_weights), and
/// predict_next_note's dictionary of predictions sampled with tf.random.categorical. The losses of fixed weights are
/// NumPy's (music_generation_references.py).
/// </summary>
public abstract class Probe30MusicGenerationTests(string backend) : BackendFileTest(backend)
{
    private const int NNotes = 153, SeqLength = 25, VocabSize = 128;
    private static readonly string[] KeyOrder = ["pitch", "step", "duration"];

    // pitch 40 + 7i mod 30, step 0.1 + 0.05 (3i mod 5), duration 0.2 + 0.1 (5i mod 4): the reference script's notes.
    private static double[,] Notes()
    {
        var notes = new double[NNotes, 3];
        for (int i = 0; i < NNotes; i++)
        {
            notes[i, 0] = 40 + 7 * i % 30;
            notes[i, 1] = 0.1 + 0.05 * (3 * i % 5);
            notes[i, 2] = 0.2 + 0.1 * (5 * i % 4);
        }
        return notes;
    }

    // create_sequences: windows of seq_length + 1 notes, the inputs scaled, the last note the labels by key.
    private static Dataset<(Tensor, Dictionary<string, Tensor>)> CreateSequences(Dataset<Tensor> dataset, int seqLength, int vocabSize = 128)
    {
        var sequences = dataset.Window(seqLength + 1, shift: 1, stride: 1, dropRemainder: true);
        Tensor ScalePitch(Tensor x) => x / NF.Constant(new[] { (double)vocabSize, 1.0, 1.0 });
        return sequences.Map(sequence =>
        {
            var inputs = sequence[..^1];
            var labelsDense = sequence[^1];
            var labels = KeyOrder.Select((key, i) => (key, labelsDense[i])).ToDictionary(p => p.key, p => p.Item2);
            return (ScalePitch(inputs), labels);
        });
    }

    private static Tensor MseWithPositivePressure(Tensor yTrue, Tensor yPred)
    {
        var mse = NF.Square(yTrue - yPred);
        var positivePressure = 10 * NF.Maximum(-yPred, 0f);
        return NF.ReduceMean(mse + positivePressure);
    }

    private static (Model Model, Layers.LSTM Lstm, Dictionary<string, Layers.Dense> Heads) BuildModel()
    {
        var inputs = Layers.Input([SeqLength, 3]);
        var lstm = new Layers.LSTM(128);
        var x = lstm.Call(inputs);
        var heads = new Dictionary<string, Layers.Dense>
        {
            ["pitch"] = new Layers.Dense(128, name: "pitch"),
            ["step"] = new Layers.Dense(1, name: "step"),
            ["duration"] = new Layers.Dense(1, name: "duration"),
        };
        var outputs = heads.ToDictionary(h => h.Key, h => h.Value.Call(x));
        return (new Model(inputs, outputs), lstm, heads);
    }

    private static Dictionary<string, Losses.Loss> LossDictionary() => new()
    {
        ["pitch"] = new Losses.SparseCategoricalCrossentropy(fromLogits: true),
        ["step"] = (Func<Tensor, Tensor, Tensor>)MseWithPositivePressure,
        ["duration"] = (Func<Tensor, Tensor, Tensor>)MseWithPositivePressure,
    };

    // scale sin(0.37 k + 1.1 index) over each variable's values in Keras' layout (the reference script's sine()).
    private static Tensor Sine(int[] shape, int index, double scale)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        return NF.Constant(Enumerable.Range(0, count).Select(k => (float)(scale * Math.Sin(0.37 * k + 1.1 * index))).ToArray(), shape);
    }

    private static void WriteFixedWeights(Layers.LSTM lstm, Dictionary<string, Layers.Dense> heads)
    {
        lstm.SetWeights([Sine([3, 512], 0, 0.1), Sine([128, 512], 1, 0.1), Sine([512], 2, 0.05)]);
        int layer = 1;
        foreach (var (name, size) in new[] { ("pitch", 128), ("step", 1), ("duration", 1) })
        {
            heads[name].SetWeights([Sine([128, size], 2 * layer + 1, 0.1), Sine([size], 2 * layer + 2, 0.05)]);
            layer++;
        }
    }

    [SkippableFact]
    public void Create_sequences_windows_scales_and_splits_the_labels_by_key()
    {
        RequireBackend();
        var notes = Notes();
        var notesDs = Dataset.FromTensorSlices(NF.Constant(notes));
        Assert.Equal("TensorSpec(shape=(3,), dtype=tf.float64, name=None)", notesDs.ElementSpec.ToString());
        var seqDs = CreateSequences(notesDs, SeqLength, VocabSize);
        Assert.Equal("(TensorSpec(shape=(25, 3), dtype=tf.float64, name=None), {'pitch': TensorSpec(shape=(), dtype=tf.float64, name=None), " +
                     "'step': TensorSpec(shape=(), dtype=tf.float64, name=None), 'duration': TensorSpec(shape=(), dtype=tf.float64, name=None)})",
                     seqDs.ElementSpec.ToString());

        int windows = 0;
        foreach (var (seq, target) in seqDs)
        {
            Assert.Equal([SeqLength, 3], seq.Shape.ToArray());
            var values = seq.ToArray<double>();
            for (int t = 0; t < SeqLength; t++)
            {
                Assert.Equal(notes[windows + t, 0] / VocabSize, values[3 * t], 12);
                Assert.Equal(notes[windows + t, 1], values[3 * t + 1], 12);
                Assert.Equal(notes[windows + t, 2], values[3 * t + 2], 12);
            }
            for (int k = 0; k < 3; k++) Assert.Equal(notes[windows + SeqLength, k], target[KeyOrder[k]].Item<double>(), 12);
            windows++;
        }
        Assert.Equal(NNotes - SeqLength, windows);   // buffer_size = n_notes - seq_length: the number of items

        var trainDs = seqDs.Shuffle(NNotes - SeqLength, seed: 3).Batch(64, dropRemainder: true).Cache().Prefetch(Dataset.Autotune);
        Assert.Equal("(TensorSpec(shape=(64, 25, 3), dtype=tf.float64, name=None), {'pitch': TensorSpec(shape=(64,), dtype=tf.float64, name=None), " +
                     "'step': TensorSpec(shape=(64,), dtype=tf.float64, name=None), 'duration': TensorSpec(shape=(64,), dtype=tf.float64, name=None)})",
                     trainDs.ElementSpec.ToString());
        Assert.Equal(2, trainDs.Count());
    }

    [SkippableFact]
    public void The_three_headed_model_evaluates_as_numpy_before_and_after_loss_weights()
    {
        RequireBackend();
        var (model, lstm, heads) = BuildModel();
        // model.summary(): lstm 67,584, pitch 16,512, step 129, duration 129; Total params: 84,354.
        Assert.Equal(84354, model.CountParams());
        Assert.Equal(67584, lstm.CountParams());
        Assert.Equal(["duration", "pitch", "step"], model.OutputNames);   // tree.flatten: sorted keys
        WriteFixedWeights(lstm, heads);

        var trainDs = CreateSequences(Dataset.FromTensorSlices(NF.Constant(Notes())), SeqLength).Batch(64, dropRemainder: true).Cache();
        model.Compile(new Optimizers.Adam(learningRate: 0.005), LossDictionary());
        var losses = model.Evaluate(trainDs);
        Assert.Equal(["loss", "duration_loss", "pitch_loss", "step_loss"], losses.Keys.ToArray());
        Assert.Equal(4.848156483337149, losses["pitch_loss"], 4e-5);   // about -log(1/128): the tutorial's untrained 4.86
        Assert.Equal(2.823805965659551, losses["step_loss"], 4e-5);
        Assert.Equal(0.018645292231597957, losses["duration_loss"], 4e-5);
        Assert.Equal(7.690607741228298, losses["loss"], 1e-4);

        model.Compile(new Optimizers.Adam(learningRate: 0.005), LossDictionary(),
                      lossWeights: new Dictionary<string, float> { ["pitch"] = 0.05f, ["step"] = 1.0f, ["duration"] = 1.0f });
        var weighted = model.Evaluate(trainDs);
        Assert.Equal(3.0848590820580064, weighted["loss"], 4e-5);
        Assert.Equal(4.848156483337149, weighted["pitch_loss"], 4e-5);   // each output's loss is logged unweighted

        var first = CreateSequences(Dataset.FromTensorSlices(NF.Constant(Notes())), SeqLength).First().Item1;
        var predictions = model.PredictByName(NF.ExpandDims(first, 0));
        Assert.Equal(["duration", "pitch", "step"], predictions.Keys.Order().ToArray());
        Assert.Equal([1, 128], predictions["pitch"].Shape.ToArray());
        Assert.Equal(-0.2529923283409703, predictions["step"].Item<float>(), 2e-5);
        Assert.Equal(0.2802012533097405, predictions["duration"].Item<float>(), 2e-5);
        double[] logits = [-0.04569793261446245, -0.049278372562838464, -0.0461892159601294];
        for (int k = 0; k < 3; k++) Assert.Equal(logits[k], predictions["pitch"].ToArray<float>()[k], 2e-5);
    }

    [SkippableFact]
    public void Fit_with_checkpoints_and_early_stopping_lowers_the_loss_and_generates_notes()
    {
        RequireBackend();
        NF.Random.SetSeed(30);
        var (model, _, _) = BuildModel();
        var trainDs = CreateSequences(Dataset.FromTensorSlices(NF.Constant(Notes())), SeqLength)
            .Shuffle(NNotes - SeqLength, seed: 5).Batch(64, dropRemainder: true).Cache().Prefetch(Dataset.Autotune);
        model.Compile(new Optimizers.Adam(learningRate: 0.005), LossDictionary(),
                      lossWeights: new Dictionary<string, float> { ["pitch"] = 0.05f, ["step"] = 1.0f, ["duration"] = 1.0f });
        string dir = Directory.CreateDirectory(Temp.File("training_checkpoints")).FullName;
        var earlyStopping = new Callbacks.EarlyStopping(monitor: "loss", patience: 5, verbose: 0, restoreBestWeights: true);
        var history = model.Fit(trainDs, epochs: 8, verbose: 0, callbacks:
        [
            new Callbacks.ModelCheckpoint(Path.Combine(dir, "ckpt_{epoch}.weights.h5"), monitor: "loss", saveWeightsOnly: true),
            earlyStopping,
        ]);
        var loss = history["loss"];
        Assert.Equal(8, loss.Count);
        Assert.True(loss[^1] < 0.7 * loss[0], $"the loss should fall: {string.Join(", ", loss)}");
        Assert.Equal(["duration_loss", "loss", "pitch_loss", "step_loss"], history.Keys.Order().ToArray());
        Assert.All(Enumerable.Range(1, 8), e => Assert.True(File.Exists(Path.Combine(dir, $"ckpt_{e}.weights.h5")), $"ckpt_{e}"));

        // predict_next_note with temperature 2, 6 times, each prediction shifted into the input window.
        var notes = Notes();
        var inputNotes = NF.Constant(notes) [..SeqLength] / NF.Constant(new[] { (double)VocabSize, 1.0, 1.0 });
        double prevStart = 0;
        for (int n = 0; n < 6; n++)
        {
            var predictions = model.PredictByName(NF.ExpandDims(inputNotes, 0));
            var pitchLogits = predictions["pitch"] / 2.0f;
            var pitch = NF.Squeeze(NF.Random.Categorical(pitchLogits, numSamples: 1), -1);
            var step = NF.Maximum(0f, NF.Squeeze(predictions["step"], -1));
            var duration = NF.Maximum(0f, NF.Squeeze(predictions["duration"], -1));
            int p = pitch.Item<int>();
            Assert.InRange(p, 0, 127);
            Assert.True(step.Item<float>() >= 0 && duration.Item<float>() >= 0);
            double start = prevStart + step.Item<float>();
            Assert.True(start >= prevStart);
            var note = NF.Constant(new[,] { { (double)p, step.Item<float>(), duration.Item<float>() } });
            inputNotes = NF.Concat([inputNotes[1..], note], axis: 0);   // np.delete(..., 0) then np.append
            Assert.Equal([SeqLength, 3], inputNotes.Shape.ToArray());
            prevStart = start;
        }
    }
}

/// <summary>The music generation tutorial on the managed backend.</summary>
public sealed class ManagedProbe30MusicGenerationTests() : Probe30MusicGenerationTests("managed");

/// <summary>The music generation tutorial on the native CPU backend.</summary>
public sealed class NativeCpuProbe30MusicGenerationTests() : Probe30MusicGenerationTests("cpu");

/// <summary>The music generation tutorial on CUDA.</summary>
public sealed class CudaProbe30MusicGenerationTests() : Probe30MusicGenerationTests("cuda");
