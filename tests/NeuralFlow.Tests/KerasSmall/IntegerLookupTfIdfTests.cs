using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasSmall;

/// <summary>
/// IntegerLookup's output_mode "tf_idf" on every engine: the two docstring examples of
/// keras/src/layers/preprocessing/integer_lookup.py (OOV weight the mean, or given with the OOV
/// token in front), weights learned by Adapt (log(1 + documents / (1 + document count)), numbers
/// from reference_values.py beside this file), padding to max_tokens, the argument checks, and a
/// save/load round trip. Before, the mode was refused with NotSupportedException.
/// </summary>
public abstract class IntegerLookupTfIdfTests(string backend) : BackendFileTest(backend)
{
    private static readonly long[] Vocab = [12, 36, 1138, 42];
    private static Tensor Data => NF.Constant(new long[] { 12, 1138, 42, 42, 42, 7, 36, 7 }, [2, 4]);

    private static void Near(double[] expected, Tensor actual) =>
        Reference.AssertClose(expected, NF.Cast(actual, DType.Float64).ToArray<double>(), 1e-5, 1e-5);

    [SkippableFact]
    public void The_docstring_examples_weight_the_counts()
    {
        RequireBackend();
        // integer_lookup.py, "TF-IDF output": the OOV slot takes the mean of the weights (0.5).
        var layer = new Layers.IntegerLookup(Vocab, outputMode: "tf_idf", idfWeights: [0.25, 0.75, 0.6, 0.4]);
        Near([0, 0.25, 0, 0.6, 0.8, 1.0, 0, 0.75, 0, 0.4], layer.Call(Data));
        Assert.Equal([0.5, 0.25, 0.75, 0.6, 0.4], layer.IdfWeights!.Select(w => Math.Round(w, 10)));
        // With the OOV token in front, its weight is given (0.9).
        var withOov = new Layers.IntegerLookup([-1, .. Vocab], outputMode: "tf_idf", idfWeights: [0.9, 0.25, 0.75, 0.6, 0.4]);
        Near([0, 0.25, 0, 0.6, 0.8, 1.8, 0, 0.75, 0, 0.4], withOov.Call(Data));
        // pad_to_max_tokens: zero weights after the vocabulary.
        var padded = new Layers.IntegerLookup(Vocab, maxTokens: 7, outputMode: "tf_idf", padToMaxTokens: true, idfWeights: [0.25, 0.75, 0.6, 0.4]);
        Near([0, 0.25, 0, 0.6, 0.8, 0, 0, 1.0, 0, 0.75, 0, 0.4, 0, 0], padded.Call(Data));
    }

    [SkippableFact]
    public void Adapt_learns_inverse_document_frequencies()
    {
        RequireBackend();
        // reference_values.py: documents [[1, 2, 2, 3], [2, 3, 5, 5], [7, 2, 2, 2]] give vocabulary [2, 5, 3, 7, 1].
        var layer = new Layers.IntegerLookup(outputMode: "tf_idf");
        layer.Adapt(NF.Constant(new long[] { 1, 2, 2, 3, 2, 3, 5, 5, 7, 2, 2, 2 }, [3, 4]));
        Assert.Equal([-1L, 2, 5, 3, 7, 1], layer.GetVocabulary());
        double[] idf = [0.8003270328235667, 0.5596157879354227, 0.916290731874155, 0.6931471805599453, 0.916290731874155, 0.916290731874155];
        Assert.Equal(idf.Select(w => Math.Round(w, 10)), layer.IdfWeights!.Select(w => Math.Round(w, 10)));
        Near([0.8003270328235667, 1.1192315758708453, 0, 0, 0.916290731874155, 0], layer.Call(NF.Constant(new long[] { 2, 2, 9, 7 }, [1, 4])));
    }

    [SkippableFact]
    public void Bad_arguments_are_refused_and_the_weights_round_trip()
    {
        RequireBackend();
        Assert.Contains("idf_weights argument must be set", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup(Vocab, outputMode: "tf_idf")).Message);
        Assert.Contains("only be set if output_mode is 'tf_idf'", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup(Vocab, outputMode: "count", idfWeights: [1, 1, 1, 1])).Message);
        Assert.Contains("same length as vocabulary", Assert.Throws<ArgumentException>(() => new Layers.IntegerLookup(Vocab, outputMode: "tf_idf", idfWeights: [1, 1])).Message);
        Assert.Contains("Adapt", Assert.Throws<InvalidOperationException>(() => new Layers.IntegerLookup(maxTokens: 4, outputMode: "tf_idf", padToMaxTokens: true).Call(Data)).Message);

        var lookup = new Layers.IntegerLookup(numOovIndices: 2, outputMode: "tf_idf");
        lookup.Adapt(Data);
        var model = new Sequential(lookup);
        model.Predict(Data);
        var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, "tfidf.nfmodel")));
        Assert.Equal(model.Predict(Data).ToArray<float>(), loaded.Predict(Data).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        Assert.Equal(lookup.IdfWeights, ((Layers.IntegerLookup)loaded.Layers[0]).IdfWeights);
    }
}

public sealed class ManagedIntegerLookupTfIdfTests() : IntegerLookupTfIdfTests("managed");

public sealed class NativeCpuIntegerLookupTfIdfTests() : IntegerLookupTfIdfTests("cpu");

public sealed class CudaIntegerLookupTfIdfTests() : IntegerLookupTfIdfTests("cuda");
