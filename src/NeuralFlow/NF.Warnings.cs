namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Where the library's warnings go (Python's <c>warnings</c> / TensorFlow's logger): NF.Function's
    /// (frequent retracing, an eager fallback, a replay without CUDA graphs) and Keras callbacks'
    /// (a monitored log the epoch does not have). Null, the default, writes them to
    /// <see cref="Console.Error"/> as it is at the time; set a writer (a log file, a test's
    /// StringWriter) to collect them elsewhere.
    /// </summary>
    public static TextWriter? WarningLog { get; set; }

    /// <summary>Writes <paramref name="message"/>, one line, where the library's warnings go (<see cref="WarningLog"/>).</summary>
    internal static void Warn(string message) => (WarningLog ?? Console.Error).WriteLine(message);
}
