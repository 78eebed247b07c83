namespace NeuralFlow.Backends;

/// <summary>Whether a <see cref="FusedStep"/> applies a <see cref="BinaryOp"/> or a <see cref="UnaryOp"/>; values match <c>nf_fused_kind</c>.</summary>
public enum FusedKind
{
    /// <summary>register = op(a, b)</summary>
    Binary = 0,
    /// <summary>register = op(a)</summary>
    Unary = 1,
}

/// <summary>
/// One step of a fused elementwise program (<see cref="IBackend.FusedElementwise"/>, <c>nf_fused_step</c>):
/// registers 0..inputs-1 hold the inputs' elements, step s writes register inputs + s from
/// registers <paramref name="A"/> (and <paramref name="B"/>) written before it. A comparison's
/// result is held as 0 or 1 of the program's dtype (what casting its bool gives).
/// </summary>
/// <param name="Kind">Binary or unary.</param>
/// <param name="Op">The <see cref="BinaryOp"/> or <see cref="UnaryOp"/> value.</param>
/// <param name="A">First operand register.</param>
/// <param name="B">Second operand register (binary only).</param>
public readonly record struct FusedStep(FusedKind Kind, int Op, int A, int B)
{
    /// <summary>register = op(a, b).</summary>
    public static FusedStep Binary(BinaryOp op, int a, int b) => new(FusedKind.Binary, (int)op, a, b);

    /// <summary>register = op(a).</summary>
    public static FusedStep Unary(UnaryOp op, int a) => new(FusedKind.Unary, (int)op, a, 0);

    /// <summary>At most this many inputs (NF_FUSED_MAX_INPUTS).</summary>
    public const int MaxInputs = 8;

    /// <summary>At most this many steps (NF_FUSED_MAX_STEPS).</summary>
    public const int MaxSteps = 32;
}
