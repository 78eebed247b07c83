using NeuralFlow.Keras;

namespace NeuralFlow.Tests.DatasetFromDirectory;

/// <summary>
/// Builds the folders the dataset-from-directory tests read, inside the test's temporary directory
/// (removed after the test), and reads the "Found N files ..." lines the utilities print.
/// </summary>
internal static class DirectoryFixture
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="root"/>/<paramref name="relative"/>, making its folders.</summary>
    public static string Write(string root, string relative, string text) => Write(root, relative, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="root"/>/<paramref name="relative"/>, making its folders.</summary>
    public static string Write(string root, string relative, byte[] bytes)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A folder of two classes, "neg" and "pos", of <paramref name="perClass"/> text files each, named n00.txt ... and p00.txt ...</summary>
    public static string TwoTextClasses(string root, int perClass)
    {
        for (int i = 0; i < perClass; i++)
        {
            Write(root, $"neg/n{i:00}.txt", $"bad dull awful {i}");
            Write(root, $"pos/p{i:00}.txt", $"good great fine {i}");
        }
        return root;
    }

    /// <summary>Runs <paramref name="action"/> and returns what the utilities printed meanwhile (this flow only).</summary>
    public static (T Result, string Printed) Capture<T>(Func<T> action)
    {
        var writer = new StringWriter();
        var previous = DirectoryIndex.Output.Value;
        DirectoryIndex.Output.Value = writer;
        try { return (action(), writer.ToString().Replace("\r", "")); }
        finally { DirectoryIndex.Output.Value = previous; }
    }

    /// <summary>A PNG of <paramref name="height"/> x <paramref name="width"/> RGB pixels, each from <paramref name="pixel"/>(row, column).</summary>
    public static byte[] Png(int height, int width, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var bytes = new byte[height * width * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(y, x);
                int at = (y * width + x) * 3;
                (bytes[at], bytes[at + 1], bytes[at + 2]) = (r, g, b);
            }
        using var image = NF.Constant(bytes, [height, width, 3]);
        return NF.Image.EncodePng(image);
    }

    /// <summary>A PNG of one colour.</summary>
    public static byte[] SolidPng(int height, int width, byte r, byte g, byte b) => Png(height, width, (_, _) => (r, g, b));
}
