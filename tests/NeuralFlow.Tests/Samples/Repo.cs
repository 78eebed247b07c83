namespace NeuralFlow.Tests.Samples;

/// <summary>Paths of the checkout the tests were built from.</summary>
internal static class Repo
{
    /// <summary>The folder holding NeuralFlow.sln, found upwards from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration of the test build (bin/CONFIG/TFM/), so samples are taken from the same one.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NeuralFlow.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException($"No NeuralFlow.sln above {AppContext.BaseDirectory}.");
    }
}
