using System.Text.Json;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The committed fixtures of make_fixtures.py (Keras' HDF5 layouts written with h5py) and the
/// architectures they were written for, built in C# as a Keras user would.
/// </summary>
internal static class KerasH5Fixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "KerasH5", "fixtures", name);

    /// <summary>Input(4) -> Dense(8, relu) -> BatchNormalization -> Dense(3, softmax).</summary>
    public static Sequential Mlp() =>
        new(Layers.Input([4]), new Layers.Dense(8, activation: "relu"), new Layers.BatchNormalization(), new Layers.Dense(3, activation: "softmax"));

    /// <summary>Input(6, 6, 1) -> Conv2D(2, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(3, softmax).</summary>
    public static Sequential Cnn() =>
        new(Layers.Input([6, 6, 1]), new Layers.Conv2D(2, 3, activation: "relu"), new Layers.MaxPooling2D(2), new Layers.Flatten(), new Layers.Dense(3, activation: "softmax"));

    /// <summary>Input(4) -> Sequential(BatchNormalization, Dense(8, relu)) -> Dense(3, softmax): a nested model.</summary>
    public static Sequential Nested() =>
        new(Layers.Input([4]), new Sequential(new Layers.BatchNormalization(), new Layers.Dense(8, activation: "relu")), new Layers.Dense(3, activation: "softmax"));

    /// <summary>Input(5, 3) -> LSTM(4) -> Dense(2).</summary>
    public static Sequential Lstm() => new(Layers.Input([5, 3]), new Layers.LSTM(4), new Layers.Dense(2));

    /// <summary>The numpy reference of <paramref name="model"/> ("mlp", "cnn", "lstm"): its input and expected output.</summary>
    public static (Tensor X, double[] Y) Reference(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path("references.json")));
        var r = doc.RootElement.GetProperty(model);
        var x = r.GetProperty("x").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var shape = r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var y = r.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return (NF.Constant(x, shape), y);
    }

    /// <summary>Asserts that <paramref name="model"/> predicts the reference of <paramref name="name"/> to 1e-5.</summary>
    public static void AssertPredicts(Model model, string name)
    {
        var (x, want) = Reference(name);
        var got = model.Predict(x).ToArray<float>();
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - want[i]) <= 1e-5, $"{name}[{i}]: {got[i]} vs numpy {want[i]}");
    }

    /// <summary>The reference of make_archive_fixtures.py named <paramref name="name"/> (archives.json).</summary>
    public static JsonElement ArchiveReference(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path("archives.json")));
        return doc.RootElement.GetProperty(name).Clone();
    }

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>Asserts that <paramref name="got"/> is <paramref name="want"/> within <paramref name="tolerance"/>, naming <paramref name="what"/>.</summary>
    public static void Close(IReadOnlyList<double> want, float[] got, double tolerance, string what)
    {
        Assert.Equal(want.Count, got.Length);
        for (int i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(got[i] - want[i]) <= tolerance, $"{what}[{i}]: {got[i]} vs reference {want[i]}");
    }
}
