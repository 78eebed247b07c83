using NeuralFlow.Backends.Managed;
using NeuralFlow.Backends.Native;

namespace NeuralFlow.Backends;

/// <summary>
/// Chooses the default backend: <c>NEURALFLOW_BACKEND=managed|cpu|cuda</c> forces one and
/// fails loudly when it cannot be had; otherwise the best that loads (CUDA, then the native
/// CPU engine, then the managed one). A missing native library never crashes the process.
/// </summary>
public static class BackendRegistry
{
    private static readonly Lazy<ManagedBackend> LazyManaged = new(() => new ManagedBackend());
    private static readonly Lazy<(NativeCpuBackend? Backend, string? Failure)> LazyNative = new(() =>
    {
        var b = NativeCpuBackend.TryCreate(out var failure);
        return (b, failure);
    });
    private static readonly Lazy<IBackend> LazyDefault = new(ChooseDefault);

    /// <summary>The pure C# backend, always available.</summary>
    public static IBackend Managed => LazyManaged.Value;

    /// <summary>The native CPU engine, or null when it cannot be loaded (see <see cref="NativeFailure"/>).</summary>
    public static IBackend? NativeCpu => LazyNative.Value.Backend;

    /// <summary>Why the native engine could not be loaded, or null.</summary>
    public static string? NativeFailure => LazyNative.Value.Failure;

    /// <summary>The backend new tensors use unless a scope says otherwise.</summary>
    public static IBackend Default => LazyDefault.Value;

    /// <summary>Every backend that can be had on this machine, best first.</summary>
    public static IReadOnlyList<IBackend> Available =>
        NativeCpu is { } n ? [n, Managed] : [Managed];

    /// <summary>The backend named "managed", "cpu" (also "native") or "cuda"; throws when unavailable.</summary>
    public static IBackend Get(string name) => name.Trim().ToLowerInvariant() switch
    {
        "managed" => Managed,
        "cpu" or "native" => NativeCpu ?? throw new InvalidOperationException(
            $"The native CPU backend is not available: {NativeFailure}. Build it with CMake (dotnet build does this when cmake and a C++ compiler are installed) or set NEURALFLOW_NATIVE_PATH to the folder holding it."),
        "cuda" or "gpu" => throw new InvalidOperationException(
            "The CUDA backend is not available in this build: libneuralflow_cuda was not built or no NVIDIA device was found."),
        _ => throw new ArgumentException($"Unknown backend '{name}'; use managed, cpu or cuda.", nameof(name)),
    };

    private static IBackend ChooseDefault()
    {
        var forced = Environment.GetEnvironmentVariable("NEURALFLOW_BACKEND");
        if (!string.IsNullOrWhiteSpace(forced))
        {
            try { return Get(forced); }
            catch (Exception e) { throw new InvalidOperationException($"NEURALFLOW_BACKEND={forced}: {e.Message}", e); }
        }
        if (NativeCpu is { } native) return native;
        Console.Error.WriteLine($"NeuralFlow: native engine unavailable ({NativeFailure}); using the managed backend.");
        return Managed;
    }
}
