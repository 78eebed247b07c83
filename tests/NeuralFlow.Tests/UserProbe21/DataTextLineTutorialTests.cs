using System.Text;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// TensorFlow's "Load text" tutorial (site/en/tutorials/load_data/text.ipynb, "Predict the author of
/// Iliad translations") in small: two translators' files read with TextLineDataset, each line
/// labelled with its file's index by a Map, the datasets concatenated and shuffled once
/// (reshuffle_each_iteration=False), a TextVectorization adapted to the batched texts, the dataset
/// mapped to ids and a Conv1D classifier fitted on it. The vocabulary and every line's ids come from
/// text_lines_references.py (Keras' standardize, whitespace split and count-sorted vocabulary).
/// </summary>
public abstract class DataTextLineTutorialTests(string backend) : BackendFileTest(backend)
{
    // text_lines_references.py: FILE_A with "\r\n" endings, an empty line and no final newline; FILE_B with "\n".
    private const string FileA = "Achilles sing, O Goddess! Peleus' son;\r\n" +
                                 "His wrath pernicious, who ten thousand woes\r\n" +
                                 "Caused to Achaia's host, sent many a soul\r\n" +
                                 "\r\n" +
                                 "Illustrious into Ades premature,\r\n" +
                                 "And Heroes' son; the dogs and vultures sing";
    private const string FileB = "Of Peleus' son, Achilles, sing, O Muse,\n" +
                                 "The vengeance, deep and deadly; whence to Greece\n" +
                                 "Unnumbered ills arose; which many a soul\n" +
                                 "Of mighty warriors to the viewless shades\n" +
                                 "Ultimately sent; the dogs, the sing and son.\n";
    private const int VocabSize = 20, MaxSequenceLength = 6;

    private static readonly string[] Vocabulary =
        ["", "[UNK]", "the", "son", "sing", "and", "to", "soul", "sent", "peleus", "of", "o", "many", "dogs", "achilles", "a", "wrath", "woes", "who", "which"];

    private static readonly Dictionary<string, long[]> Ids = new()
    {
        ["Achilles sing, O Goddess! Peleus' son;"] = [14, 4, 11, 1, 9, 3],
        ["His wrath pernicious, who ten thousand woes"] = [1, 16, 1, 18, 1, 1],
        ["Caused to Achaia's host, sent many a soul"] = [1, 6, 1, 1, 8, 12],
        [""] = [0, 0, 0, 0, 0, 0],
        ["Illustrious into Ades premature,"] = [1, 1, 1, 1, 0, 0],
        ["And Heroes' son; the dogs and vultures sing"] = [5, 1, 3, 2, 13, 5],
        ["Of Peleus' son, Achilles, sing, O Muse,"] = [10, 9, 3, 14, 4, 11],
        ["The vengeance, deep and deadly; whence to Greece"] = [2, 1, 1, 5, 1, 1],
        ["Unnumbered ills arose; which many a soul"] = [1, 1, 1, 19, 12, 15],
        ["Of mighty warriors to the viewless shades"] = [10, 1, 1, 6, 2, 1],
        ["Ultimately sent; the dogs, the sing and son."] = [1, 8, 2, 13, 2, 4],
    };

    [SkippableFact]
    public void Lines_of_two_translations_are_labelled_vectorized_and_train_an_author_classifier()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        string[] fileNames = ["cowper.txt", "derby.txt"];
        File.WriteAllBytes(Temp.File(fileNames[0]), Encoding.UTF8.GetBytes(FileA));
        File.WriteAllBytes(Temp.File(fileNames[1]), Encoding.UTF8.GetBytes(FileB));

        // labeled_data_sets = [tf.data.TextLineDataset(path).map(lambda ex: labeler(ex, i)) for i, path in ...]
        var labeledDataSets = fileNames.Select((name, i) => new TextLineDataset(Temp.File(name)).Map(line => (line, NF.Constant((long)i)))).ToArray();
        var allLabeledData = labeledDataSets[0].Concatenate(labeledDataSets[1]).Shuffle(50, seed: 3, reshuffleEachIteration: false);
        var lines = allLabeledData.Select(e => (e.Item1.Item(), e.Item2.Item<long>())).ToList();
        Assert.Equal(11, lines.Count);
        Assert.Equal(Ids.Keys.Order(), lines.Select(l => l.Item1).Order());
        Assert.Equal(6, lines.Count(l => l.Item2 == 0));
        // Not reshuffled: every pass is in the same order.
        Assert.Equal(lines.Select(l => l.Item1), allLabeledData.Select(e => e.Item1.Item()));

        const int batchSize = 4;
        var trainData = allLabeledData.Batch(batchSize);
        var vectorizeLayer = new Layers.TextVectorization(maxTokens: VocabSize, outputMode: "int", outputSequenceLength: MaxSequenceLength);
        vectorizeLayer.Adapt(trainData.Map((text, label) => text));
        Assert.Equal(Vocabulary, vectorizeLayer.GetVocabulary());

        var vectorized = trainData.Map((text, label) => (vectorizeLayer.Call(text), label));
        Assert.Equal("(TensorSpec(shape=(None, 6), dtype=tf.int64, name=None), TensorSpec(shape=(None,), dtype=tf.int64, name=None))",
                     vectorized.ElementSpec.ToString());
        // Every line's ids, the batches walked in the same (unreshuffled) order as the lines.
        var rows = vectorized.Unbatch().Select(e => { using (e.Item1) using (e.Item2) return e.Item1.ToArray<long>(); }).ToList();
        Assert.Equal(lines.Select(l => Ids[l.Item1]), rows);

        var model = new Sequential(
            Layers.Input([MaxSequenceLength], dtype: DType.Int64),
            new Layers.Embedding(VocabSize, 8, maskZero: true),
            new Layers.Conv1D(8, 3, padding: "valid", activation: "relu", strides: 1),
            new Layers.GlobalMaxPooling1D(),
            new Layers.Dense(2));
        model.Compile(optimizer: new Optimizers.Adam(0.05f), loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = model.Fit(vectorized.Cache().Prefetch(Dataset.Autotune), epochs: 25, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], string.Join(", ", history["loss"]));

        // The tutorial's last step: raw strings through the layer, then the model.
        using var inputs = vectorizeLayer.Call(new StringTensor(["Of Peleus' son, Achilles, sing, O Muse,", "Illustrious into Ades premature,"]));
        Assert.Equal(Ids["Of Peleus' son, Achilles, sing, O Muse,"].Concat(Ids["Illustrious into Ades premature,"]), inputs.ToArray<long>());
        using var logits = model.Predict(inputs);
        Assert.Equal(new[] { 2, 2 }, logits.Shape.ToArray());
    }
}

/// <summary>The "Load text" tutorial on the managed backend.</summary>
public sealed class ManagedDataTextLineTutorialTests() : DataTextLineTutorialTests("managed");

/// <summary>The "Load text" tutorial on the native CPU backend.</summary>
public sealed class NativeCpuDataTextLineTutorialTests() : DataTextLineTutorialTests("cpu");

/// <summary>The "Load text" tutorial on CUDA.</summary>
public sealed class CudaDataTextLineTutorialTests() : DataTextLineTutorialTests("cuda");
