using System.Text.Json;

namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string ClassIndexUrl = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json";

    /// <summary>
    /// Keras' <c>keras.applications.imagenet_utils.decode_predictions</c> (also each application's
    /// <c>decode_predictions</c>): for each sample of an ImageNet model's [N, 1000] predictions, its
    /// <paramref name="top"/> classes as (class id, name, score), highest score first, e.g.
    /// ("n02504458", "African_elephant", 0.87). The names come from imagenet_class_index.json
    /// (<c>{"0": ["n01440764", "tench"], ...}</c>), which Keras downloads and NeuralFlow reads from
    /// <paramref name="classIndexPath"/>. As Keras, a <paramref name="top"/> over 1000 gives all 1000; among equal
    /// scores the higher class index comes first (NumPy's argsort leaves Keras' order there unspecified), and NaN
    /// scores rank above all others, as NumPy's argsort puts them.
    /// </summary>
    /// <param name="preds">The predictions: [samples, 1000], any real dtype.</param>
    /// <param name="top">How many classes to return per sample (at least 1).</param>
    /// <param name="classIndexPath">The path of Keras' imagenet_class_index.json (fetched from
    /// https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json).</param>
    /// <returns>One list per sample, of its top classes by decreasing score.</returns>
    /// <exception cref="ArgumentException">preds is not [samples, 1000], or no file is at classIndexPath (or it is null).</exception>
    /// <exception cref="ArgumentOutOfRangeException">top is below 1.</exception>
    /// <exception cref="InvalidDataException">The file is not a class index: not JSON, not an object, or an entry missing or not [id, name].</exception>
    public static IReadOnlyList<IReadOnlyList<(string ClassId, string Name, double Score)>> DecodePredictions(Tensor preds, int top = 5, string? classIndexPath = null)
    {
        const string op = "DecodePredictions";
        ArgumentNullException.ThrowIfNull(preds);
        if (preds.Rank != 2 || preds.Shape[1] != 1000)
            throw new ArgumentException(
                $"{op} expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). Received array with shape: {preds.Shape}", nameof(preds));
        if (top < 1)
            throw new ArgumentOutOfRangeException(nameof(top), top, $"{op}: top must be at least 1 (how many classes to return per sample).");
        if (classIndexPath is null || !File.Exists(classIndexPath))
            throw new ArgumentException(
                $"{op}: the class names come from imagenet_class_index.json, which Keras downloads from {ClassIndexUrl} and NeuralFlow does not; " +
                $"fetch it and pass its path as classIndexPath ({(classIndexPath is null ? "none was given" : $"no file is at '{classIndexPath}'")}).",
                nameof(classIndexPath));

        using var index = ReadClassIndex(classIndexPath);
        int samples = preds.Shape[0], k = Math.Min(top, 1000);
        var scores = NF.Cast(preds, DType.Float64).ToArray<double>();
        var results = new List<IReadOnlyList<(string, string, double)>>(samples);
        for (int n = 0; n < samples; n++)
        {
            var row = new ArraySegment<double>(scores, n * 1000, 1000);
            var order = Enumerable.Range(0, 1000).ToArray();
            Array.Sort(order, (a, b) => ScoreOrder(row[b], b).CompareTo(ScoreOrder(row[a], a)));
            results.Add(order.Take(k).Select(i =>
            {
                var (id, name) = ClassEntry(index, i, classIndexPath);
                return (id, name, row[i]);
            }).ToList());
        }
        return results;
    }

    // The rank of a score: NaN above every number (NumPy's argsort), then by value, then by class index.
    private static (bool, double, int) ScoreOrder(double score, int i) => (double.IsNaN(score), double.IsNaN(score) ? 0 : score, i);

    private static JsonDocument ReadClassIndex(string path)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"DecodePredictions: '{path}' is not JSON, so not imagenet_class_index.json ({e.Message}).", e);
        }
        var kind = document.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidDataException($"DecodePredictions: '{path}' holds a JSON {kind}, not imagenet_class_index.json's object of \"index\": [id, name].");
        }
        return document;
    }

    // CLASS_INDEX[str(i)]: the entry of class i, [id, name].
    private static (string Id, string Name) ClassEntry(JsonDocument index, int i, string path)
    {
        string key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!index.RootElement.TryGetProperty(key, out var entry))
            throw new InvalidDataException($"DecodePredictions: '{path}' has no entry \"{key}\" (class {i}); imagenet_class_index.json names all 1000 classes.");
        if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() < 2
            || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"DecodePredictions: '{path}' entry \"{key}\" is {entry.GetRawText()}, not [class id, name] (e.g. [\"n01440764\", \"tench\"]).");
        return (entry[0].GetString()!, entry[1].GetString()!);
    }
}
