using System.Text.Json;

namespace NeuralFlow.Tests.ImageCodecs;

/// <summary>
/// The image files of ImageCodecs/Fixtures and the samples a reference decoder gives for each
/// (make_fixtures.py): PNGs from their source arrays, JPEGs from Pillow on libjpeg-turbo 2.1.
/// </summary>
public static class ImageFixtures
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "ImageCodecs", "Fixtures");

    private sealed record Entry(string File, int[] Shape, int Bytes);

    private static readonly Lazy<Dictionary<string, Entry>> Manifest = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, Entry>>(System.IO.File.ReadAllText(Path.Combine(Folder, "fixtures.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!);

    /// <summary>The fixture names whose image file ends with <paramref name="extension"/> (".png", ".jpg").</summary>
    public static IEnumerable<object[]> Named(string extension) =>
        Manifest.Value.Where(e => e.Value.File.EndsWith(extension, StringComparison.Ordinal)).Select(e => new object[] { e.Key });

    /// <summary>The bytes of the image file behind fixture <paramref name="name"/>.</summary>
    public static byte[] File(string name) => System.IO.File.ReadAllBytes(Path.Combine(Folder, Manifest.Value[name].File));

    /// <summary>The bytes of a file in the fixtures folder.</summary>
    public static byte[] RawFile(string file) => System.IO.File.ReadAllBytes(Path.Combine(Folder, file));

    /// <summary>The expected shape and samples (uint8 or uint16 values) of fixture <paramref name="name"/>.</summary>
    public static (int[] Shape, int[] Samples, int BitDepth) Expected(string name)
    {
        var entry = Manifest.Value[name];
        var raw = System.IO.File.ReadAllBytes(Path.Combine(Folder, name + ".bin"));
        var samples = entry.Bytes == 2
            ? Enumerable.Range(0, raw.Length / 2).Select(i => raw[2 * i] | raw[2 * i + 1] << 8).ToArray()
            : raw.Select(b => (int)b).ToArray();
        return (entry.Shape, samples, entry.Bytes * 8);
    }

    /// <summary>Asserts that <paramref name="image"/> (uint8 or int32) has fixture <paramref name="name"/>'s shape and samples exactly.</summary>
    public static void AssertDecodesTo(string name, Tensor image)
    {
        var (shape, want, _) = Expected(name);
        Assert.Equal(shape, image.Shape.ToArray());
        var got = image.DType == DType.UInt8 ? image.ToArray<byte>().Select(b => (int)b).ToArray() : image.ToArray<int>();
        AssertSamples(name, shape, want, got);
    }

    /// <summary>Asserts that <paramref name="got"/> has the fixture's shape and, sample for sample, its values (within <paramref name="tolerance"/>).</summary>
    public static void AssertSamples(string name, int[] shape, int[] want, int[] got, int tolerance = 0)
    {
        Assert.Equal(want.Length, got.Length);
        int worst = 0, at = -1;
        for (int i = 0; i < want.Length; i++)
        {
            int d = Math.Abs(want[i] - got[i]);
            if (d > worst) { worst = d; at = i; }
        }
        int c = shape[^1], w = shape[^2];
        Assert.True(worst <= tolerance, at < 0 ? "" :
            $"{name}: sample {at} (row {at / c / w}, column {at / c % w}, channel {at % c}) is {got[at]}, want {want[at]} (off by {worst}, allowed {tolerance})");
    }
}
