using System.Diagnostics;
using System.Text.Json;
using NeuralFlow.Tests.Samples;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The Python scripts of this folder run under /usr/bin/python3 with h5py (libhdf5 itself), which
/// print what they read as JSON. A test that needs them is skipped only where h5py is missing
/// (Debian: apt-get install python3-h5py; CI installs it).
/// </summary>
internal static class H5pyPeer
{
    private const string Python = "/usr/bin/python3";

    public static void Require()
    {
        bool available = false;
        if (File.Exists(Python))
        {
            var info = new ProcessStartInfo(Python, ["-c", "import h5py"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            available = SampleRuns.RunToEnd(info, "python3 -c 'import h5py'").ExitCode == 0;
        }
        Skip.IfNot(available, $"{Python} cannot import h5py (Debian: apt-get install python3-h5py): libhdf5's view of the written files is not checked here");
    }

    /// <summary>The JSON <paramref name="script"/> (a file of this folder) prints for <paramref name="arguments"/>.</summary>
    public static JsonElement Run(string script, params string[] arguments)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "KerasH5", script);
        var info = new ProcessStartInfo(Python, [path, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var (code, stdout, stderr) = SampleRuns.RunToEnd(info, script);
        Assert.True(code == 0, $"{script} failed (exit {code}):\n{stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
