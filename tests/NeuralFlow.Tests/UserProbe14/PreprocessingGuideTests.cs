using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe14;

/// <summary>
/// keras.io's "Working with preprocessing layers" guide in C#: the outputs it prints for StringLookup
/// and IntegerLookup (given and adapted vocabularies, one_hot), Hashing into CategoryEncoding, and
/// TextVectorization's int, multi_hot and tf_idf (bigrams) encodings of its Emily Dickinson lines;
/// Normalization with a given mean and variance (and inverted), and Discretization as its docstring.
/// </summary>
public abstract class PreprocessingGuideTests(string backend) : BackendTest(backend)
{
    private static readonly string[] AdaptData =
        ["The Brain is wider than the Sky", "For put them side by side", "The one the other will contain", "With ease and You beside"];

    private static float[] OneHot(int width, params int[] hot) => hot.SelectMany(h => Enumerable.Range(0, width).Select(i => i == h ? 1f : 0f)).ToArray();

    [SkippableFact]
    public void Lookups_print_the_guides_indices_and_one_hots()
    {
        RequireBackend();
        var given = new Layers.StringLookup(vocabulary: ["a", "b", "c", "d"]);
        Assert.Equal(new long[] { 1, 3, 4, 4, 0, 2 }, given.Call(new[,] { { "a", "c", "d" }, { "d", "z", "b" } }).ToArray<long>());
        var inverse = new Layers.StringLookup(vocabulary: ["a", "b", "c", "d"], invert: true);
        Assert.Equal(new[] { "a", "c", "d", "d", "[UNK]", "b" }, inverse.CallInverted(NF.Constant(new long[] { 1, 3, 4, 4, 0, 2 }, [2, 3])).ToArray());

        var strings = new Layers.StringLookup(outputMode: "one_hot");
        strings.Adapt(new[,] { { "a" }, { "b" }, { "c" }, { "b" }, { "c" }, { "a" } });
        Assert.Equal(OneHot(4, 3, 2, 1, 0, 0, 0), strings.Call(new[,] { { "a" }, { "b" }, { "c" }, { "d" }, { "e" }, { "" } }).ToArray<float>());

        var integers = new Layers.IntegerLookup(outputMode: "one_hot");
        integers.Adapt(NF.Constant(new[] { 10, 20, 20, 10, 30, 0 }, [6, 1]));
        Assert.Equal(OneHot(5, 2, 2, 1, 0, 0, 4), integers.Call(NF.Constant(new[] { 10, 10, 20, 50, 60, 0 }, [6, 1])).ToArray<float>());

        NF.Random.SetSeed(9);
        var data = NF.Cast(NF.Random.Uniform([100, 1]) * 100000f, DType.Int64);
        var encoded = new Layers.CategoryEncoding(64, outputMode: "multi_hot").Call(new Layers.Hashing(64, salt: [1337]).Call(data));
        Assert.Equal(new[] { 100, 64 }, encoded.Shape.ToArray());
        Assert.All(NF.ReduceSum(encoded, [1]).ToArray<float>(), s => Assert.Equal(1f, s));
    }

    [SkippableFact]
    public void Text_vectorization_prints_the_guides_encodings()
    {
        RequireBackend();
        string[] test = ["The Brain is deeper than the sea"];
        var ints = new Layers.TextVectorization(outputMode: "int");
        ints.Adapt(AdaptData);
        Assert.Equal(new long[] { 2, 19, 14, 1, 9, 2, 1 }, ints.Call(test).ToArray<long>());

        var multiHot = new Layers.TextVectorization(outputMode: "multi_hot", ngrams: 2);
        multiHot.Adapt(AdaptData);
        var hot = new float[41];
        foreach (var i in new[] { 0, 1, 16, 17, 18, 28, 36, 37 }) hot[i] = 1;
        Assert.Equal(hot, multiHot.Call(test).ToArray<float>());

        var tfIdf = new Layers.TextVectorization(outputMode: "tf_idf", ngrams: 2);
        tfIdf.Adapt(AdaptData);
        var want = new float[41];
        want[0] = 5.461647f;
        want[1] = 1.6945957f;
        foreach (var i in new[] { 16, 17, 18, 28, 36, 37 }) want[i] = 1.0986123f;
        var got = tfIdf.Call(test).ToArray<float>();
        Assert.Equal(41, got.Length);
        for (int i = 0; i < 41; i++) Assert.Equal(want[i], got[i], 5);
    }

    [SkippableFact]
    public void Normalization_with_given_statistics_inverts_and_discretization_buckets()
    {
        RequireBackend();
        var x = NF.Constant(new float[] { 1, 3, 5 }, [3, 1]);
        var normalized = new Layers.Normalization(mean: [3f], variance: [4f]).Call(x);
        Assert.Equal(new[] { -1f, 0f, 1f }, normalized.ToArray<float>());
        Assert.Equal(new[] { 1f, 3f, 5f }, new Layers.Normalization(mean: [3f], variance: [4f], invert: true).Call(normalized).ToArray<float>());

        // Adapted on a feature matrix: each column's mean 0 and population variance 1 afterwards.
        NF.Random.SetSeed(10);
        var features = NF.Random.Normal([50, 3], mean: 5, stddev: 2);
        var adapted = new Layers.Normalization();
        adapted.Adapt(features);
        var y = adapted.Call(features);
        Assert.All(NF.ReduceMean(y, [0]).ToArray<float>(), m => Assert.Equal(0f, m, 4));
        Assert.All(NF.ReduceMean(NF.Square(y), [0]).ToArray<float>(), v => Assert.Equal(1f, v, 3));

        // Keras' Discretization docstring: [[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]] in [0, 1, 2] -> [[0, 2, 3, 1], [1, 3, 2, 1]].
        var bins = new Layers.Discretization(binBoundaries: [0f, 1f, 2f]);
        Assert.Equal(new long[] { 0, 2, 3, 1, 1, 3, 2, 1 },
            bins.Call(NF.Constant(new[] { -1.5f, 1f, 3.4f, 0.5f, 0f, 3f, 1.3f, 0f }, [2, 4])).ToArray<long>());
    }
}

/// <summary>The preprocessing guide on the managed backend.</summary>
public sealed class ManagedPreprocessingGuideTests() : PreprocessingGuideTests("managed");

/// <summary>The preprocessing guide on the native CPU backend.</summary>
public sealed class NativeCpuPreprocessingGuideTests() : PreprocessingGuideTests("cpu");

/// <summary>The preprocessing guide on CUDA.</summary>
public sealed class CudaPreprocessingGuideTests() : PreprocessingGuideTests("cuda");
