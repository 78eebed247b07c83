namespace NeuralFlow.Data.Sources;

/// <summary>
/// A data set as Keras caches it in one NumPy archive (<c>~/.keras/datasets/mnist.npz</c>: arrays
/// <c>x_train</c>, <c>y_train</c>, <c>x_test</c>, <c>y_test</c>, uint8), read in place with the same
/// checks the IDX files get: images (N, rows, columns), one label per image.
/// </summary>
internal static class KerasNpzSource
{
    private static readonly string[] Keys = ["x_train", "y_train", "x_test", "y_test"];

    /// <summary>The first of Keras' dataset folders holding <paramref name="fileName"/>, or null.</summary>
    public static string? Find(string fileName)
    {
        foreach (var folder in Datasets.KerasDatasetFolders())
        {
            var path = Path.Combine(folder, fileName);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) Read(string path)
    {
        var arrays = NF.Numpy.LoadNpz(path);
        try
        {
            var missing = Keys.Where(k => !arrays.ContainsKey(k)).ToArray();
            if (missing.Length > 0)
                throw new InvalidDataException(
                    $"'{path}' is not a Keras data set archive: it lacks {string.Join(", ", missing)} (it holds {string.Join(", ", arrays.Keys)}; Keras' mnist.npz holds x_train, y_train, x_test, y_test).");
            var train = Pair(path, arrays, "x_train", "y_train");
            var test = Pair(path, arrays, "x_test", "y_test");
            foreach (var (key, t) in arrays)
                if (!Keys.Contains(key)) t.Dispose();
            return (train, test);
        }
        catch
        {
            foreach (var t in arrays.Values) t.Dispose();
            throw;
        }
    }

    private static (Tensor X, Tensor Y) Pair(string path, Dictionary<string, Tensor> arrays, string imagesKey, string labelsKey)
    {
        var (x, y) = (arrays[imagesKey], arrays[labelsKey]);
        foreach (var (key, t) in new[] { (imagesKey, x), (labelsKey, y) })
            if (t.DType != DType.UInt8)
                throw new InvalidDataException($"'{path}': {key} holds {t.DType.Name()} values; Keras' archive holds uint8 pixels and labels.");
        if (x.Shape.Rank != 3)
            throw new InvalidDataException($"'{path}': {imagesKey} should hold images of shape (N, rows, columns), but has shape {x.Shape}.");
        if (y.Shape.Rank != 1 || y.Shape[0] != x.Shape[0])
            throw new InvalidDataException($"'{path}': {labelsKey} has shape {y.Shape} but {imagesKey} has {x.Shape[0]:N0} images; it should hold one label per image.");
        return (x, y);
    }
}
