using NeuralFlow.Data;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserProbe31.Probe31TextGenerationTests;

namespace NeuralFlow.Tests.UserProbe31;

/// <summary>
/// The second half of TensorFlow's "Text generation with an RNN": compile and fit with
/// ModelCheckpoint(save_weights_only=True), the OneStep generator (the [UNK] mask made dense from a SparseTensor,
/// temperature, tf.random.categorical, states carried from call to call) for one text and a batch of five, and the
/// custom training section: CustomTraining(MyModel) overriding train_step, fit with it, and the manual epoch loop
/// calling train_step with tf.keras.metrics.Mean. The first step's loss from fixed weights is NumPy's
/// (text_generation_references.py).
/// </summary>
public abstract class Probe31TextGenerationTrainingTests(string backend) : BackendFileTest(backend)
{
    private static Dataset<(Tensor, Tensor)> TrainingDataset(Layers.StringLookup idsFromChars) =>
        Sequences(idsFromChars).Shuffle(10000, seed: 7).Batch(BatchSize, dropRemainder: true).Prefetch(Dataset.Autotune);

    [SkippableFact]
    public void Fit_with_checkpoints_then_one_step_generates_text_carrying_the_states()
    {
        RequireBackend();
        NF.Random.SetSeed(31);
        var idsFromChars = new Layers.StringLookup(vocabulary: Vocab(), maskToken: null);
        var charsFromIds = new Layers.StringLookup(vocabulary: idsFromChars.GetVocabulary(), invert: true, maskToken: null);
        int vocabSize = idsFromChars.GetVocabulary().Length;
        var model = new Probe31TextGenerationModel(vocabSize, EmbeddingDim, RnnUnits);
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        model.Compile(new Optimizers.Adam(learningRate: 0.01), loss);
        string checkpointDir = Directory.CreateDirectory(Temp.File("training_checkpoints")).FullName;
        string checkpointPrefix = Path.Combine(checkpointDir, "ckpt_{epoch}.weights.h5");
        var checkpointCallback = new Callbacks.ModelCheckpoint(filepath: checkpointPrefix, saveWeightsOnly: true);
        const int epochs = 4;
        var history = model.Fit(TrainingDataset(idsFromChars), epochs: epochs, verbose: 0, callbacks: [checkpointCallback]);
        var losses = history["loss"];
        Assert.Equal(epochs, losses.Count);
        Assert.True(losses[^1] < losses[0], $"the loss should fall: {string.Join(", ", losses)}");
        Assert.All(Enumerable.Range(1, epochs), e => Assert.True(File.Exists(Path.Combine(checkpointDir, $"ckpt_{e}.weights.h5")), $"ckpt_{e}"));

        // The last checkpoint restores the trained model.
        var restored = new Probe31TextGenerationModel(vocabSize, EmbeddingDim, RnnUnits);
        var probe = Sequences(idsFromChars).Batch(2).First().Item1;
        restored.Call(probe);
        restored.LoadWeights(Path.Combine(checkpointDir, $"ckpt_{epochs}.weights.h5"));
        AssertClose(model.Call(probe), restored.Call(probe));

        var oneStepModel = new Probe31OneStep(model, charsFromIds, idsFromChars);
        var mask = oneStepModel.PredictionMask.ToArray<float>();
        Assert.Equal(vocabSize, mask.Length);
        Assert.Equal(float.NegativeInfinity, mask[0]);   // [UNK] is id 0
        Assert.All(mask[1..], v => Assert.Equal(0f, v));

        Tensor[]? states = null;
        var nextChar = new StringTensor(["ROMEO:"]);
        var result = new List<StringTensor> { nextChar };
        for (int n = 0; n < 30; n++)
        {
            (nextChar, states) = oneStepModel.GenerateOneStep(nextChar, states: states);
            Assert.Equal([1], nextChar.Shape.ToArray());
            result.Add(nextChar);
        }
        var text = NF.Strings.Join(result);
        Assert.Equal([1], text.Shape.ToArray());
        string generated = text.ToArray()[0];
        Assert.StartsWith("ROMEO:", generated);
        Assert.Equal(36, generated.Length);   // each step one character, never the 5-character [UNK]
        Assert.All(generated[6..], c => Assert.Contains(c.ToString(), Vocab()));
        // The states passed along are those of the whole text read at once: each call went on from the one before.
        var wholeIds = idsFromChars.Call(NF.Strings.UnicodeSplit(new StringTensor([generated[..^1]]))).ToTensor();
        var (_, wholeStates) = model.Call(wholeIds, null, returnState: true);
        AssertClose(wholeStates[0], states![0], 1e-4);

        // A batch of five starts at once; a low temperature sharpens the draws toward the most likely character.
        var coldStep = new Probe31OneStep(model, charsFromIds, idsFromChars, temperature: 0.001);
        states = null;
        nextChar = new StringTensor(["ROMEO:", "ROMEO:", "ROMEO:", "ROMEO:", "ROMEO:"]);
        var batchResult = new List<StringTensor> { nextChar };
        for (int n = 0; n < 8; n++)
        {
            (nextChar, states) = coldStep.GenerateOneStep(nextChar, states: states);
            batchResult.Add(nextChar);
        }
        var texts = NF.Strings.Join(batchResult).ToArray();
        Assert.Equal(5, texts.Length);
        Assert.All(texts, t => Assert.Equal(14, t.Length));
        Assert.All(texts, t => Assert.Equal(texts[0], t));   // temperature 0.001: the argmax, the same for every row
    }

    [SkippableFact]
    public void Custom_training_steps_match_numpy_and_the_manual_loop_lowers_the_mean_loss()
    {
        RequireBackend();
        NF.Random.SetSeed(32);
        var idsFromChars = new Layers.StringLookup(vocabulary: Vocab(), maskToken: null);
        int vocabSize = idsFromChars.GetVocabulary().Length;
        var model = new Probe31CustomTraining(vocabSize, EmbeddingDim, RnnUnits);
        model.Compile(new Optimizers.Adam(learningRate: 0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var (inp, target) = Sequences(idsFromChars).Batch(BatchSize, dropRemainder: true).First();
        model.Call(inp);
        WriteFixedWeights(model, vocabSize);
        // train_step returns {'loss': loss}: the loss of the weights before the step (text_generation_references.py).
        var logs = model.TrainOn(inp, target);
        Assert.Equal(["loss"], logs.Names);
        Assert.Equal(3.5847537875844715, logs["loss"].Item<float>(), 1e-4);
        Assert.Equal(1, model.Optimizer!.Iterations);
        Assert.True(model.TrainOn(inp, target)["loss"].Item<float>() < logs["loss"].Item<float>());

        var dataset = TrainingDataset(idsFromChars);
        var fitted = model.Fit(dataset, epochs: 1, verbose: 0);
        Assert.Single(fitted["loss"]);
        Assert.Equal(2 + 22 / BatchSize, model.Optimizer.Iterations);

        const int epochs = 3;
        var mean = new Metrics.Mean();
        var epochLosses = new List<float>();
        string checkpointPrefix = Path.Combine(Temp.File("custom_checkpoints"), "ckpt_{0}.weights.h5");
        Directory.CreateDirectory(Path.GetDirectoryName(checkpointPrefix)!);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            mean.ResetState();
            int batchN = 0;
            foreach (var (batchInp, batchTarget) in dataset)
            {
                var stepLogs = model.TrainOn(batchInp, batchTarget);
                mean.UpdateState(stepLogs["loss"]);
                if (batchN % 50 == 0)
                    Assert.Matches($@"^Epoch {epoch + 1} Batch 0 Loss \d+\.\d{{4}}$", $"Epoch {epoch + 1} Batch {batchN} Loss {stepLogs["loss"].Item<float>():0.0000}");
                batchN++;
            }
            Assert.Equal(22 / BatchSize, batchN);
            epochLosses.Add(mean.Result());
            if ((epoch + 1) % 2 == 0) model.SaveWeights(string.Format(checkpointPrefix, epoch));
        }
        model.SaveWeights(string.Format(checkpointPrefix, epochs - 1));
        Assert.True(epochLosses[^1] < epochLosses[0], string.Join(", ", epochLosses));
        Assert.True(File.Exists(string.Format(checkpointPrefix, 1)) && File.Exists(string.Format(checkpointPrefix, 2)));
        Assert.Equal(2 + 22 / BatchSize * (1 + epochs), model.Optimizer.Iterations);

        // StepLogs names what it holds when asked for something else.
        Assert.Contains("loss", Assert.Throws<KeyNotFoundException>(() => logs["accuracy"]).Message);
    }
}

/// <summary>The text generation tutorial's training on the managed backend.</summary>
public sealed class ManagedProbe31TextGenerationTrainingTests() : Probe31TextGenerationTrainingTests("managed");

/// <summary>The text generation tutorial's training on the native CPU backend.</summary>
public sealed class NativeCpuProbe31TextGenerationTrainingTests() : Probe31TextGenerationTrainingTests("cpu");

/// <summary>The text generation tutorial's training on CUDA.</summary>
public sealed class CudaProbe31TextGenerationTrainingTests() : Probe31TextGenerationTrainingTests("cuda");
