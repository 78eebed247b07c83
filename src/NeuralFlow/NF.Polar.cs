namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// The complex numbers of magnitude <paramref name="abs"/> and angle <paramref name="angle"/>
    /// (radians), <c>torch.polar</c> / <c>keras.ops.polar</c>, as the (Real, Imag) pair NeuralFlow's
    /// complex ops (<see cref="Fft(ValueTuple{Tensor, Tensor})"/>) take: abs cos(angle) and abs sin(angle),
    /// broadcast. Differentiable in both.
    /// </summary>
    /// <exception cref="ArgumentException">Not float tensors of one dtype, or shapes that do not broadcast.</exception>
    public static (Tensor Real, Tensor Imag) Polar(Tensor abs, Tensor angle)
    {
        const string op = nameof(Polar);
        ArgumentNullException.ThrowIfNull(abs);
        ArgumentNullException.ThrowIfNull(angle);
        if (!abs.DType.IsFloating() || abs.DType != angle.DType)
            throw new ArgumentException($"{op}: abs and angle must be float32 or float64 of one dtype, got {abs.DType.Name()} and {angle.DType.Name()}.", nameof(angle));
        Engine.BroadcastShapes(op, abs.Shape, angle.Shape);
        return (abs * Cos(angle), abs * Sin(angle));
    }
}
