using System.Reflection;
using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// Finds the native engine: where <c>NEURALFLOW_NATIVE_PATH</c> points (a file or a folder),
/// next to this assembly, or in <c>runtimes/&lt;rid&gt;/native</c> below it (the NuGet layout),
/// then the system's default search. Never throws: <see cref="TryLoad"/> says why it failed.
/// </summary>
public static class NativeLibraryLoader
{
    private static readonly object Gate = new();
    private static bool _resolverSet;
    private static nint _handle;
    private static string? _failure;

    /// <summary>File name of the engine on this OS.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? "neuralflow.dll" :
        OperatingSystem.IsMacOS() ? "libneuralflow.dylib" : "libneuralflow.so";

    /// <summary>Where the engine was loaded from, once loaded.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Loads the engine once; false with a reason when it cannot be had.</summary>
    public static bool TryLoad(out string? failure)
    {
        lock (Gate)
        {
            if (!_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
                _resolverSet = true;
                _handle = LoadFirst(out _failure);
                if (_handle != 0)
                {
                    int abi = NativeMethods.nf_abi_version();
                    if (abi != ExpectedAbiVersion)
                    {
                        _failure = $"{LoadedFrom} has ABI version {abi}, these bindings need {ExpectedAbiVersion}";
                        _handle = 0;
                    }
                }
            }
            failure = _failure;
            return _handle != 0;
        }
    }

    /// <summary>NF_ABI_VERSION that these bindings mirror.</summary>
    public const int ExpectedAbiVersion = 1;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == NativeMethods.LibraryName ? _handle : 0;

    /// <summary>The places searched, in order.</summary>
    public static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable("NEURALFLOW_NATIVE_PATH");
        if (!string.IsNullOrEmpty(env))
            yield return Directory.Exists(env) ? Path.Combine(env, FileName) : env;
        var dir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) dir = AppContext.BaseDirectory;
        yield return Path.Combine(dir, FileName);
        yield return Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", FileName);
        yield return Path.Combine(dir, "runtimes", PortableRid(), "native", FileName);
    }

    private static string PortableRid()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        return $"{os}-{arch}";
    }

    private static nint LoadFirst(out string? failure)
    {
        var tried = new List<string>();
        bool explicitPath = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NEURALFLOW_NATIVE_PATH"));
        foreach (var candidate in Candidates())
        {
            if (!File.Exists(candidate)) { tried.Add($"{candidate} (absent)"); continue; }
            if (NativeLibrary.TryLoad(candidate, out var h))
            {
                LoadedFrom = candidate;
                failure = null;
                return h;
            }
            tried.Add($"{candidate} (could not be loaded)");
            if (explicitPath) break;
        }
        if (!explicitPath && NativeLibrary.TryLoad(NativeMethods.LibraryName, typeof(NativeLibraryLoader).Assembly, null, out var sys))
        {
            LoadedFrom = NativeMethods.LibraryName;
            failure = null;
            return sys;
        }
        failure = $"{FileName} not found; tried {string.Join(", ", tried)}";
        return 0;
    }
}
