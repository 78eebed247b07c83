namespace NeuralFlow.Tests.UserProbe16;

/// <summary>Small CSV files the tests write into a folder of their own, deleted when disposed.</summary>
internal sealed class CsvFiles : IDisposable
{
    public CsvFiles() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "nf-csv-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) as <paramref name="name"/> and returns its path.</summary>
    public string Write(string name, string text)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
