using System.IO.Compression;

namespace NeuralFlow.Tests;

/// <summary>Rewrites the config.json of a saved model in place: how tests make files NeuralFlow must refuse.</summary>
internal static class ModelFileEdit
{
    public static void Config(string path, Func<string, string> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("config.json")!;
        string text;
        using (var reader = new StreamReader(entry.Open())) text = reader.ReadToEnd();
        entry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry("config.json").Open());
        writer.Write(edit(text));
    }
}
