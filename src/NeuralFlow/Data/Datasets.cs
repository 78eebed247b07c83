namespace NeuralFlow.Data;

/// <summary>
/// Ready-made data sets (<c>tf.keras.datasets</c>): <see cref="Mnist"/> and
/// <see cref="FashionMnist"/>. Each <c>LoadData()</c> returns
/// <c>((xTrain, yTrain), (xTest, yTest))</c> of uint8 tensors shaped (N, 28, 28) and (N).
/// Files are cached under <c>$NEURALFLOW_DATA/&lt;name&gt;</c>, else
/// <c>~/.neuralflow/datasets/&lt;name&gt;</c>; Keras' own cache (<c>~/.keras/datasets</c>) is read
/// when it holds them, and they are downloaded into NeuralFlow's cache when absent from both.
/// </summary>
public static partial class Datasets
{
    /// <summary>Where download progress goes (standard error by default; null for silence).</summary>
    public static TextWriter? Progress { get; set; } = Console.Error;

    /// <summary>How long one download may take before it is abandoned for the next mirror.</summary>
    public static TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The cache folder of data set <paramref name="name"/>: <c>$NEURALFLOW_DATA/name</c>, else <c>~/.neuralflow/datasets/name</c>.</summary>
    public static string CacheFolder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var root = Environment.GetEnvironmentVariable("NEURALFLOW_DATA");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".neuralflow", "datasets");
        return Path.Combine(root, name);
    }

    /// <summary>
    /// Keras' dataset caches, where <c>keras.datasets.*.load_data()</c> leaves its downloads:
    /// <c>$KERAS_HOME/datasets</c> (else <c>~/.keras/datasets</c>), then <c>/tmp/.keras/datasets</c>,
    /// where Keras falls back when its home cannot be written. A machine that ran the Python
    /// workshop has the files already; they are read in place, never written.
    /// </summary>
    internal static string[] KerasDatasetFolders()
    {
        var home = Environment.GetEnvironmentVariable("KERAS_HOME");
        if (string.IsNullOrEmpty(home))
            home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".keras");
        var folders = new List<string> { Path.Combine(home, "datasets") };
        var tmp = Path.Combine("/tmp", ".keras", "datasets");
        if (!folders.Contains(tmp)) folders.Add(tmp);
        return [.. folders];
    }

    /// <summary>Mirror list from an environment variable (base URLs separated by ';', ',' or spaces), else the defaults.</summary>
    internal static List<string> MirrorsFrom(string variable, params string[] defaults)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value)
            ? [.. defaults]
            : [.. value.Split([';', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
