using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of the preprocessing layers' configs (Keras' from_config): a vocabulary given
/// as a file path, as Keras keeps it, was ignored (a lookup with no vocabulary: every token out of it, no
/// word said, even for a missing file); an absent standardize, split or axis took "none" instead of
/// Keras' defaults; a nested mean (several kept axes) failed with "The node must be of type 'JsonValue'";
/// a missing factor read "Nullable object must have a value", before.
/// </summary>
public abstract class TrustSweep4ConfigTests(string backend) : BackendTest(backend)
{
    private static T Load<T>(string json) where T : Layer => KerasSerialization.FromConfig<T>((JsonObject)JsonNode.Parse(json)!);

    private static string Quoted(string path) => JsonValue.Create(path)!.ToJsonString();

    [SkippableFact]
    public void A_vocabulary_file_loads_one_token_per_line_and_a_missing_one_is_named()
    {
        RequireBackend();
        string words = Path.GetTempFileName(), numbers = Path.GetTempFileName();
        try
        {
            File.WriteAllText(words, "a\nb\nc\n");
            File.WriteAllText(numbers, "10\r\n20\r\n");
            var strings = Load<Layers.StringLookup>($"{{\"name\": \"words\", \"vocabulary\": {Quoted(words)}}}");
            Assert.Equal(new long[] { 1, 3, 0 }, strings.Call(["a", "c", "z"]).ToArray<long>());
            var integers = Load<Layers.IntegerLookup>($"{{\"vocabulary\": {Quoted(numbers)}}}");
            Assert.Equal(new long[] { 1, 2, 0 }, integers.Call(NF.Constant(new long[] { 10, 20, 30 })).ToArray<long>());
            var text = Load<Layers.TextVectorization>($"{{\"vocabulary\": {Quoted(words)}}}");
            Assert.Equal(new long[] { 2, 4, 1 }, text.Call(["A c z"]).ToArray<long>());
            // A line that is no integer, and tf_idf with a file (Keras refuses it too), are named.
            Assert.Contains("line 1 of the vocabulary file", Assert.Throws<InvalidDataException>(() => Load<Layers.IntegerLookup>($"{{\"vocabulary\": {Quoted(words)}}}")).Message);
            Assert.Contains("tf_idf", Assert.Throws<InvalidDataException>(() => Load<Layers.StringLookup>($"{{\"vocabulary\": {Quoted(words)}, \"output_mode\": \"tf_idf\"}}")).Message);
        }
        finally
        {
            File.Delete(words);
            File.Delete(numbers);
        }
        string missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "vocab.txt");
        var e = Assert.Throws<FileNotFoundException>(() => Load<Layers.StringLookup>($"{{\"name\": \"lost\", \"vocabulary\": {Quoted(missing)}}}"));
        Assert.Equal(missing, e.FileName);
        Assert.Contains("Layer 'lost': the vocabulary file", e.Message);
    }

    [SkippableFact]
    public void Absent_keys_take_Keras_defaults_and_nested_means_load()
    {
        RequireBackend();
        // Keras' from_config is cls(**config): an absent standardize and split are its defaults, a null one none.
        var text = Load<Layers.TextVectorization>("{\"vocabulary\": [\"a\", \"b\"]}");
        Assert.Equal(("lower_and_strip_punctuation", "whitespace"), (text.Standardize, text.Split));
        Assert.Equal(new long[] { 2, 3 }, text.Call(["A, b!"]).ToArray<long>());
        var none = Load<Layers.TextVectorization>("{\"standardize\": null, \"split\": null}");
        Assert.Equal((null, null), (none.Standardize, none.Split));
        // An absent axis is -1, a null one axis=None.
        Assert.Equal(new[] { -1 }, Load<Layers.Normalization>("{\"mean\": 1, \"variance\": 4}").Axis);
        Assert.Empty(Load<Layers.Normalization>("{\"axis\": null, \"mean\": 1, \"variance\": 4}").Axis);
        // A mean over two kept axes, as Keras writes it: a nested list, row-major.
        var nested = Load<Layers.Normalization>("{\"axis\": [1, 2], \"mean\": [[1, 2], [3, 4]], \"variance\": [[1, 1], [4, 4]]}");
        Assert.Equal(new[] { 0f, 0f, 0f, 0f }, nested.Call(NF.Constant(new[] { 1f, 2, 3, 4 }, [1, 2, 2])).ToArray<float>());
        Assert.Equal(new[] { 1f, 1f, 0.5f, 0.5f }, nested.Call(NF.Constant(new[] { 2f, 3, 4, 5 }, [1, 2, 2])).ToArray<float>());
        // A missing factor is named.
        Assert.Contains("'factor' is missing", Assert.Throws<InvalidDataException>(() => Load<Layers.RandomRotation>("{\"name\": \"r\"}")).Message);
        Assert.Contains("'width_factor' is missing", Assert.Throws<InvalidDataException>(() => Load<Layers.RandomTranslation>("{\"height_factor\": 0.1}")).Message);
    }
}

/// <summary>The config sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4ConfigTests() : TrustSweep4ConfigTests("managed");

/// <summary>The config sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4ConfigTests() : TrustSweep4ConfigTests("cpu");

/// <summary>The config sweep on CUDA.</summary>
public sealed class CudaTrustSweep4ConfigTests() : TrustSweep4ConfigTests("cuda");
