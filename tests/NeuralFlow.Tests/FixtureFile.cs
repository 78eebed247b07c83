using System.Text.Json;

namespace NeuralFlow.Tests;

/// <summary>
/// Reads a generated reference file (a PyTorch script's JSON, copied next to the tests): an
/// object whose "cases" array holds records with snake_case keys.
/// </summary>
internal static class FixtureFile
{
    private sealed record Wrapper<T>(T[] Cases);

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static T[] Cases<T>(string folder, string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, folder, file);
        using var stream = File.OpenRead(path);
        return (JsonSerializer.Deserialize<Wrapper<T>>(stream, Options) ?? throw new InvalidDataException($"{path} holds no cases.")).Cases;
    }
}
