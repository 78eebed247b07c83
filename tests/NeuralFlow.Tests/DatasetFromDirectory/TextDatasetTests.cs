using NeuralFlow.Keras;
using static NeuralFlow.Tests.DatasetFromDirectory.DirectoryFixture;

namespace NeuralFlow.Tests.DatasetFromDirectory;

/// <summary>
/// TextDatasetFromDirectory (Keras' text_dataset_from_directory): texts as host strings with
/// label tensors, cut to max_length bytes (TF's substr), unbatched elements, and the road into a
/// model Keras' tutorials take: TextVectorization adapted on the texts, the dataset mapped
/// through it, and Fit learning from it.
/// </summary>
public abstract class TextDatasetTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Max_length_cuts_bytes_and_never_half_a_character()
    {
        RequireBackend();
        string root = Temp.Path;
        Write(root, "c/a.txt", "abcdef");
        Write(root, "c/b.txt", "h\u00e9llo");   // é is two bytes in UTF-8: 'h' 0xC3 0xA9 'l' ...
        var texts = Utils.TextDatasetFromDirectory(root, maxLength: 2, shuffle: false, verbose: false).Single().Texts;
        // "h" and the first byte of é: the half character is left out rather than garbled.
        Assert.Equal(new[] { "ab", "h" }, texts);
        Assert.Equal(new[] { "abc", "h\u00e9" }, Utils.TextDatasetFromDirectory(root, maxLength: 3, shuffle: false, verbose: false).Single().Texts);
        Assert.Equal(new[] { "abcdef", "h\u00e9llo" }, Utils.TextDatasetFromDirectory(root, shuffle: false, verbose: false).Single().Texts);
    }

    [SkippableFact]
    public void Unbatched_elements_are_one_text_and_its_label()
    {
        RequireBackend();
        string root = TwoTextClasses(Temp.Path, 2);
        var ds = Utils.TextDatasetFromDirectory(root, batchSize: null, labelMode: "categorical", shuffle: false, verbose: false);
        var elements = ds.ToList();
        Assert.Equal(4, elements.Count);
        Assert.Equal(4, ds.Cardinality);
        Assert.All(elements, e => Assert.Single(e.Texts));
        Assert.Equal("good great fine 1", elements[3].Texts[0]);
        Assert.Equal(new[] { 2 }, elements[3].Labels!.Shape.ToArray());
        Assert.Equal(new float[] { 0, 1 }, elements[3].Labels!.ToArray<float>());
    }

    [SkippableFact]
    public void Texts_adapt_a_vectorizer_and_the_mapped_dataset_trains()
    {
        RequireBackend();
        string root = TwoTextClasses(Temp.Path, 12);
        NF.Random.SetSeed(5);
        var (train, validation) = Utils.TextDatasetsFromDirectory(root, 0.25, seed: 42, batchSize: 6, verbose: false);
        var vectorize = new Layers.TextVectorization(maxTokens: 50, outputSequenceLength: 4);
        vectorize.Adapt(train.Texts());
        Assert.Contains("great", vectorize.GetVocabulary());
        var trainVectors = train.Map((texts, labels) => (vectorize.Call(texts), labels));
        var validationVectors = validation.Map((texts, labels) => (vectorize.Call(texts), labels));
        var model = new Sequential(new Layers.Embedding(vectorize.VocabularySize(), 8), new Layers.GlobalAveragePooling1D(), new Layers.Dense(2));
        model.Compile(new Optimizers.Adam(0.05f), new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = model.Fit(trainVectors, epochs: 8, validationData: validationVectors, verbose: 0);
        var loss = history["loss"];
        Assert.True(loss[^1] < loss[0] * 0.5, $"the loss did not fall: {string.Join(", ", loss)}");
        Assert.Equal(1.0, history["val_accuracy"][^1], 6);
    }
}

/// <summary>The text utility on the managed backend.</summary>
public sealed class ManagedTextDatasetTests() : TextDatasetTests("managed");

/// <summary>The text utility on the native CPU backend.</summary>
public sealed class NativeCpuTextDatasetTests() : TextDatasetTests("cpu");

/// <summary>The text utility on CUDA.</summary>
public sealed class CudaTextDatasetTests() : TextDatasetTests("cuda");
