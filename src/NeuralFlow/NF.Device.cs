using NeuralFlow.Backends;
using NeuralFlow.Backends.Cuda;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// The devices this machine offers, as <c>tf.config.list_logical_devices()</c>: <c>cpu</c>
    /// first, then every usable GPU (<c>gpu:0</c>, ...). Why a GPU is missing: <see cref="Cuda.Failure"/>.
    /// </summary>
    public static IReadOnlyList<Device> Devices() =>
        [NeuralFlow.Device.Cpu, .. BackendRegistry.Cuda.Select(c => c.Device)];

    /// <summary>
    /// Makes new tensors (and layers' variables, optimizer slots, random numbers) on
    /// <paramref name="device"/> until the scope is disposed, as <c>with tf.device("/GPU:0"):</c>.
    /// Throws, naming why and what is available, when the device cannot be had.
    /// </summary>
    public static IDisposable Device(Device device) => UseBackend(BackendRegistry.ForDevice(device));

    /// <summary>
    /// <see cref="Device(NeuralFlow.Device)"/> by name: <c>"cpu"</c>, <c>"gpu"</c>, <c>"gpu:1"</c>
    /// (also <c>"cuda:0"</c>, <c>"/GPU:0"</c>).
    /// </summary>
    public static IDisposable Device(string name) => Device(NeuralFlow.Device.Parse(name));

    /// <summary>The device new tensors are made on now (the innermost scope, else the default).</summary>
    public static Device CurrentDevice => Backend.Device;

    /// <summary>The CUDA engine: availability, device memory and TF32 (<c>torch.cuda</c>).</summary>
    public static class Cuda
    {
        /// <summary>True when at least one GPU can be used.</summary>
        public static bool IsAvailable => BackendRegistry.Cuda.Count > 0;

        /// <summary>Usable GPUs.</summary>
        public static int DeviceCount => BackendRegistry.Cuda.Count;

        /// <summary>Why no GPU can be used (engine not built, cuBLAS or driver missing, no device), or null.</summary>
        public static string? Failure => BackendRegistry.CudaFailure;

        private static CudaBackend Gpu(int device) =>
            (CudaBackend)BackendRegistry.ForDevice(NeuralFlow.Device.Gpu(device));

        /// <summary>
        /// The caching allocator's statistics for GPU <paramref name="device"/>: bytes in live
        /// tensors, the peak, bytes cached for reuse, allocation counts and cache hits.
        /// </summary>
        public static MemoryStats MemoryStats(int device = 0) => Gpu(device).GetMemoryStats();

        /// <summary>Returns the cached (free) blocks of GPU <paramref name="device"/> to the driver.</summary>
        public static void EmptyCache(int device = 0) => Gpu(device).EmptyCache();

        /// <summary>Waits until everything queued on GPU <paramref name="device"/> has run (for timing).</summary>
        public static void Synchronize(int device = 0) => Gpu(device).Synchronize();

        /// <summary>The driver's name, memory and compute capability of GPU <paramref name="device"/>.</summary>
        public static string DeviceName(int device = 0) => Gpu(device).DeviceName;

        /// <summary>
        /// Lets float32 matrix products use TF32 tensor cores (faster, about 3 decimal digits);
        /// off by default, as in PyTorch.
        /// </summary>
        public static bool AllowTf32
        {
            get => _allowTf32;
            set
            {
                if (!IsAvailable) throw new InvalidOperationException($"AllowTf32: no GPU can be used: {Failure}");
                Native.NativeErrors.ThrowIfCudaFailed(Native.NativeCudaMethods.nf_cuda_tf32_set(value ? 1 : 0));
                _allowTf32 = value;
            }
        }

        private static bool _allowTf32;
    }
}
