using NeuralFlow.Backends.Cuda;
using NeuralFlow.Backends.Managed;
using NeuralFlow.Backends.Native;

namespace NeuralFlow.Backends;

/// <summary>
/// Chooses the default backend: <c>NEURALFLOW_BACKEND=managed|cpu|cuda|cuda:N</c> forces one and
/// fails loudly when it cannot be had; otherwise the best that loads (the first GPU through the
/// CUDA engine, then the native CPU engine, then the managed one). A missing native library,
/// driver or GPU never crashes the process.
/// </summary>
public static class BackendRegistry
{
    private static readonly Lazy<ManagedBackend> LazyManaged = new(() => new ManagedBackend());
    private static readonly Lazy<(NativeCpuBackend? Backend, string? Failure)> LazyNative = new(() =>
    {
        var b = NativeCpuBackend.TryCreate(out var failure);
        return (b, failure);
    });
    private static readonly Lazy<(IReadOnlyList<CudaBackend> Devices, string? Failure)> LazyCuda = new(() =>
    {
        try
        {
            var devices = CudaBackend.Discover(out var failure);
            return (devices, failure);
        }
        catch (Exception e)
        {
            return ([], $"the CUDA engine failed to start: {e.Message}");
        }
    });
    private static readonly Lazy<IBackend> LazyDefault = new(ChooseDefault);

    /// <summary>The pure C# backend, always available.</summary>
    public static IBackend Managed => LazyManaged.Value;

    /// <summary>The native CPU engine, or null when it cannot be loaded (see <see cref="NativeFailure"/>).</summary>
    public static IBackend? NativeCpu => LazyNative.Value.Backend;

    /// <summary>Why the native engine could not be loaded, or null.</summary>
    public static string? NativeFailure => LazyNative.Value.Failure;

    /// <summary>One backend per usable GPU (empty without the CUDA engine, a driver or a device).</summary>
    public static IReadOnlyList<IBackend> Cuda => LazyCuda.Value.Devices;

    /// <summary>Why no GPU can be used, or null when one can.</summary>
    public static string? CudaFailure => Cuda.Count > 0 ? null : LazyCuda.Value.Failure ?? "no CUDA device";

    /// <summary>The backend new tensors use unless a scope says otherwise.</summary>
    public static IBackend Default => LazyDefault.Value;

    /// <summary>Every backend that can be had on this machine, best first.</summary>
    public static IReadOnlyList<IBackend> Available =>
        [.. Cuda, .. NativeCpu is { } n ? new[] { n, Managed } : new[] { Managed }];

    /// <summary>
    /// The backend named "managed", "cpu" (also "native"), "cuda"/"gpu" (GPU 0) or "cuda:N"/"gpu:N";
    /// throws, naming why, when it is not available here.
    /// </summary>
    public static IBackend Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        return key switch
        {
            "managed" => Managed,
            "cpu" or "native" => NativeCpu ?? throw new InvalidOperationException(
                $"The native CPU backend is not available: {NativeFailure}. Build it with CMake (dotnet build does this when cmake and a C++ compiler are installed) or set NEURALFLOW_NATIVE_PATH to the folder holding it."),
            _ when key.StartsWith("cuda", StringComparison.Ordinal) || key.StartsWith("gpu", StringComparison.Ordinal)
                => ForDevice(Device.Parse(key)),
            _ => throw new ArgumentException($"Unknown backend '{name}'; use managed, cpu, cuda or cuda:N.", nameof(name)),
        };
    }

    /// <summary>The backend for <paramref name="device"/>: the best CPU backend, or that GPU's.</summary>
    public static IBackend ForDevice(Device device)
    {
        if (device.Kind == DeviceKind.Cpu) return NativeCpu ?? Managed;
        if (device.Index < Cuda.Count) return Cuda[device.Index];
        throw new InvalidOperationException(Cuda.Count == 0
            ? $"Device {device} is not available: {CudaFailure}. Available: cpu."
            : $"Device {device} is not available: this machine has {Cuda.Count} GPU(s). Available: {string.Join(", ", Cuda.Select(c => c.Device))}, cpu.");
    }

    private static IBackend ChooseDefault()
    {
        var forced = Environment.GetEnvironmentVariable("NEURALFLOW_BACKEND");
        if (!string.IsNullOrWhiteSpace(forced))
        {
            try { return Get(forced); }
            catch (Exception e) { throw new InvalidOperationException($"NEURALFLOW_BACKEND={forced}: {e.Message}", e); }
        }
        if (Cuda.Count > 0) return Cuda[0];
        if (NativeCpu is { } native) return native;
        Console.Error.WriteLine($"NeuralFlow: native engine unavailable ({NativeFailure}); using the managed backend.");
        return Managed;
    }
}
