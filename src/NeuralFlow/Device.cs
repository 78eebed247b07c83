namespace NeuralFlow;

/// <summary>The kind of a <see cref="Device"/>.</summary>
public enum DeviceKind
{
    /// <summary>The host processor (native CPU engine or managed fallback).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through the CUDA engine.</summary>
    Gpu,
}

/// <summary>
/// Where a tensor's value lives, as TensorFlow names devices: <c>"cpu"</c>, <c>"gpu:0"</c>
/// (<c>"cuda:0"</c> and <c>"/GPU:0"</c> are accepted too). See <see cref="NF.Devices"/>,
/// <see cref="NF.Device(string)"/> and <see cref="Tensor.To(Device)"/>.
/// </summary>
/// <param name="Kind">CPU or GPU.</param>
/// <param name="Index">The GPU's ordinal (0 for the CPU).</param>
public readonly record struct Device(DeviceKind Kind, int Index)
{
    /// <summary>The host processor.</summary>
    public static Device Cpu => new(DeviceKind.Cpu, 0);

    /// <summary>GPU number <paramref name="index"/>.</summary>
    public static Device Gpu(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new(DeviceKind.Gpu, index);
    }

    /// <summary>Reads "cpu", "gpu", "gpu:1", "cuda:0", "/GPU:0", "/device:CPU:0" (any case).</summary>
    public static Device Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var s = name.Trim().ToLowerInvariant().TrimStart('/');
        if (s.StartsWith("device:", StringComparison.Ordinal)) s = s["device:".Length..];
        var parts = s.Split(':');
        int index = 0;
        if (parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], out index)) || index < 0)
            throw new ArgumentException($"'{name}' is not a device name; use \"cpu\", \"gpu\" or \"gpu:N\".", nameof(name));
        return parts[0] switch
        {
            "cpu" when index == 0 => Cpu,
            "gpu" or "cuda" => Gpu(index),
            _ => throw new ArgumentException($"'{name}' is not a device name; use \"cpu\", \"gpu\" or \"gpu:N\".", nameof(name)),
        };
    }

    /// <summary>Parses a device name (so <c>tensor.To("gpu:0")</c> reads naturally).</summary>
    public static implicit operator Device(string name) => Parse(name);

    /// <summary>"cpu" or "gpu:N".</summary>
    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"gpu:{Index}";
}
