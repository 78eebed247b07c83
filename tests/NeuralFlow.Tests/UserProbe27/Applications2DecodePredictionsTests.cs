using System.Text.Json;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// keras.applications.imagenet_utils.decode_predictions in C# (Applications.DecodePredictions): per sample the top
/// (class id, name, score) by decreasing score, names read from an imagenet_class_index.json the test writes (Keras
/// downloads the real one; its layout is {"0": ["n01440764", "tench"], ...}), and Keras' refusals.
/// </summary>
public abstract class Applications2DecodePredictionsTests(string backend) : BackendFileTest(backend)
{
    // A class index in Keras' layout naming all 1000 classes: class i is ("n" + i in eight digits, "class_i").
    private string FullIndex()
    {
        string path = Temp.File("imagenet_class_index.json");
        File.WriteAllText(path, JsonSerializer.Serialize(Enumerable.Range(0, 1000).ToDictionary(i => i.ToString(), i => new[] { $"n{i:D8}", $"class_{i}" })));
        return path;
    }

    // Two samples of made-up scores: all 0.0001 but a few.
    private static Tensor Predictions(DType dtype)
    {
        var values = Enumerable.Repeat(1e-4, 2000).ToArray();
        (int Class, double Score)[] first = [(3, 0.5), (7, 0.2), (999, 0.15), (1, 0.05), (0, 0.04), (500, 0.03)];
        (int Class, double Score)[] second = [(42, 0.9), (41, 0.05)];
        foreach (var (c, s) in first) values[c] = s;
        foreach (var (c, s) in second) values[1000 + c] = s;
        return NF.Cast(NF.Constant(values, new Shape(2, 1000)), dtype);
    }

    [SkippableFact]
    public void Each_sample_gets_its_top_classes_by_decreasing_score()
    {
        RequireBackend();
        string index = FullIndex();
        var decoded = Applications.DecodePredictions(Predictions(DType.Float32), top: 5, classIndexPath: index);
        Assert.Equal(2, decoded.Count);
        Assert.Equal([("n00000003", "class_3"), ("n00000007", "class_7"), ("n00000999", "class_999"), ("n00000001", "class_1"), ("n00000000", "class_0")],
                     decoded[0].Select(p => (p.ClassId, p.Name)));
        // The scores are the predictions' own values (float32 here, widened exactly).
        Assert.Equal([0.5f, 0.2f, 0.15f, 0.05f, 0.04f], decoded[0].Select(p => (float)p.Score));
        Assert.Equal((double)0.2f, decoded[0][1].Score);
        Assert.Equal(["class_42", "class_41", "class_999"], decoded[1].Take(3).Select(p => p.Name));
        // Ties: the higher class index first (the 998 classes at 0.0001 after 42 and 41).
        Assert.Equal(["class_999", "class_998", "class_997"], decoded[1].Skip(2).Select(p => p.Name));

        // Keras' default top is 5; over 1000 gives all 1000; float64 and integer predictions decode alike.
        Assert.Equal(5, Applications.DecodePredictions(Predictions(DType.Float64), classIndexPath: index)[1].Count);
        var all = Applications.DecodePredictions(Predictions(DType.Float64), top: 2000, classIndexPath: index);
        Assert.Equal(1000, all[0].Count);
        Assert.Equal(1000, all[0].Select(p => p.ClassId).Distinct().Count());
        Assert.Equal(0.5, all[0][0].Score);
        Assert.Equal("class_42", Applications.DecodePredictions(NF.Cast(Predictions(DType.Float32) * 100.0, DType.Int32), top: 1, classIndexPath: index)[1][0].Name);
        Assert.Empty(Applications.DecodePredictions(NF.Zeros([0, 1000]), classIndexPath: index));
    }

    [SkippableFact]
    public void A_model_with_a_thousand_classes_decodes_to_its_argmax()
    {
        RequireBackend();
        string index = FullIndex();
        // The formula weights of UserProbe26 (random ones leave every probability 0.001 at this size).
        string weights = ApplicationsWeightsFile.Write(Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, weights: null), Temp.File("m.h5"));
        var model = Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, weights: weights);
        var preds = model.Predict(Applications.MobileNetPreprocessInput(ApplicationsWeightsFile.Images(3, 32, 32, 3)));
        var decoded = Applications.DecodePredictions(preds, top: 3, classIndexPath: index);
        var values = preds.ToArray<float>();
        for (int n = 0; n < 3; n++)
        {
            var row = values.AsSpan(n * 1000, 1000).ToArray();
            int best = Array.IndexOf(row, row.Max());
            Assert.Equal($"class_{best}", decoded[n][0].Name);
            Assert.Equal(row[best], (float)decoded[n][0].Score);
            Assert.True(decoded[n][0].Score > decoded[n][1].Score && decoded[n][1].Score > decoded[n][2].Score);
        }
    }

    [SkippableFact]
    public void NaN_ranks_first_as_numpys_argsort_puts_it()
    {
        RequireBackend();
        var values = new float[1000];
        values[10] = 0.7f;
        values[20] = float.NaN;
        var decoded = Applications.DecodePredictions(NF.Constant(values, new Shape(1, 1000)), top: 2, classIndexPath: FullIndex());
        Assert.Equal(["class_20", "class_10"], decoded[0].Select(p => p.Name));
        Assert.True(double.IsNaN(decoded[0][0].Score));
    }

    [SkippableFact]
    public void Wrong_predictions_top_and_files_are_refused_by_name()
    {
        RequireBackend();
        string index = FullIndex();
        // Keras' message: a batch of predictions of shape (samples, 1000).
        foreach (var shape in new[] { new Shape(2, 10), new Shape(1000), new Shape(1, 1, 1000) })
        {
            var e = Assert.Throws<ArgumentException>(() => Applications.DecodePredictions(NF.Zeros(shape), classIndexPath: index));
            Assert.Equal("preds", e.ParamName);
            Assert.Contains("expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). Received array with shape: ", e.Message);
        }
        Assert.Equal("top", Assert.Throws<ArgumentOutOfRangeException>(() => Applications.DecodePredictions(NF.Zeros([1, 1000]), top: 0, classIndexPath: index)).ParamName);

        // No path (Keras would download the file): the file, where Keras fetches it, and what to pass.
        var none = Assert.Throws<ArgumentException>(() => Applications.DecodePredictions(NF.Zeros([1, 1000])));
        Assert.Equal("classIndexPath", none.ParamName);
        Assert.Contains("imagenet_class_index.json", none.Message);
        Assert.Contains("https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json", none.Message);
        Assert.Contains("no file is at", Assert.Throws<ArgumentException>(() =>
            Applications.DecodePredictions(NF.Zeros([1, 1000]), classIndexPath: Temp.File("absent.json"))).Message);

        // Files that are not a class index: not JSON, not an object, a class missing, an entry not [id, name].
        string Write(string name, string text) { string p = Temp.File(name); File.WriteAllText(p, text); return p; }
        var scores = new float[1000];
        scores[5] = 1;
        var preds = NF.Constant(scores, new Shape(1, 1000));
        Assert.Contains("is not JSON", Assert.Throws<InvalidDataException>(() =>
            Applications.DecodePredictions(preds, classIndexPath: Write("bad.json", "{\"0\": [\"n0\""))).Message);
        Assert.Contains("holds a JSON Array", Assert.Throws<InvalidDataException>(() =>
            Applications.DecodePredictions(preds, classIndexPath: Write("array.json", "[[\"n0\", \"a\"]]"))).Message);
        Assert.Contains("has no entry \"5\"", Assert.Throws<InvalidDataException>(() =>
            Applications.DecodePredictions(preds, top: 1, classIndexPath: Write("few.json", "{\"0\": [\"n0\", \"a\"]}"))).Message);
        Assert.Contains("entry \"5\" is [\"n5\"], not [class id, name]", Assert.Throws<InvalidDataException>(() =>
            Applications.DecodePredictions(preds, top: 1, classIndexPath: Write("short.json", "{\"5\": [\"n5\"]}"))).Message);
        // Only the classes decoded need names: a small index serves predictions whose top classes it names.
        Assert.Equal(("n5", "five", 1.0), Applications.DecodePredictions(preds, top: 1, classIndexPath: Write("one.json", "{\"5\": [\"n5\", \"five\"]}"))[0][0]);
    }
}

/// <summary>Applications.DecodePredictions, on the managed backend.</summary>
public sealed class ManagedApplications2DecodePredictionsTests() : Applications2DecodePredictionsTests("managed");

/// <summary>Applications.DecodePredictions, on the native CPU backend.</summary>
public sealed class NativeCpuApplications2DecodePredictionsTests() : Applications2DecodePredictionsTests("cpu");

/// <summary>Applications.DecodePredictions, on the CUDA backend.</summary>
public sealed class CudaApplications2DecodePredictionsTests() : Applications2DecodePredictionsTests("cuda");
