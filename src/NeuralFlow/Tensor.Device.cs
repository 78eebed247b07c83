using NeuralFlow.Backends;

namespace NeuralFlow;

public partial class Tensor
{
    /// <summary>The device holding the value (<c>tensor.device</c>): "cpu" or "gpu:N".</summary>
    public Device Device => Backend.Device;

    /// <summary>
    /// This tensor on <paramref name="device"/> (<c>tensor.to(device)</c>): a new reference to
    /// the same value when it is already there, else a copy (device memory is reached only
    /// through the engine's staged copies). Dispose the result as any tensor.
    /// </summary>
    public Tensor To(Device device) =>
        Device == device ? View(Layout) : To(BackendRegistry.ForDevice(device));

    /// <summary><see cref="To(NeuralFlow.Device)"/> by name: <c>"cpu"</c>, <c>"gpu:0"</c>.</summary>
    public Tensor To(string device) => To(NeuralFlow.Device.Parse(device));

    /// <summary>This tensor on exactly <paramref name="backend"/> (a new reference when it already is).</summary>
    public Tensor To(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (ReferenceEquals(Backend, backend)) return View(Layout);
        // A C# number moves as its value: nothing to read back.
        if (IsWeakScalar && WeakValue is { } value) { ThrowIfDisposed(); return Engine.WeakScalar(value, DType, backend); }
        using var packed = Contiguous();
        var result = Empty(Shape, DType, backend);
        Engine.Transfer(packed, result);
        return result;
    }
}
