namespace NeuralFlow.Backends;

/// <summary>
/// The C# mirror of native/src/common/fused_program.h: which ops a fused elementwise program
/// may use (the binary ops whose functor both native engines share, and every unary op, each
/// engine computing a step with the function its own Unary kernel uses, so a fused replay is bit
/// for bit the unfused one) and the checks every backend applies before running one, so that a bad
/// program is a clear .NET exception on every backend, never a native crash.
/// </summary>
internal static class FusedProgram
{
    // NF_FUSED_BINARY_OPS and NF_FUSED_UNARY_OPS (FusedProgramTests checks these against the header).
    public static readonly BinaryOp[] BinaryOps =
    [
        BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div, BinaryOp.Maximum, BinaryOp.Minimum,
        BinaryOp.Equal, BinaryOp.NotEqual, BinaryOp.Less, BinaryOp.LessEqual, BinaryOp.Greater, BinaryOp.GreaterEqual,
    ];

    // Every UnaryOp: each engine's program step runs the function its own Unary kernel runs.
    public static readonly UnaryOp[] UnaryOps = Enum.GetValues<UnaryOp>();

    /// <summary>True when a program step may apply this op.</summary>
    public static bool Supports(FusedKind kind, int op) => kind switch
    {
        FusedKind.Binary => Array.IndexOf(BinaryOps, (BinaryOp)op) >= 0,
        FusedKind.Unary => Array.IndexOf(UnaryOps, (UnaryOp)op) >= 0,
        _ => false,
    };

    /// <summary>True for the comparisons, whose bool result a program holds as 0 or 1.</summary>
    public static bool IsComparison(BinaryOp op) => op is >= BinaryOp.Equal and <= BinaryOp.GreaterEqual;

    /// <summary>Throws an ArgumentException naming what is wrong with a program call.</summary>
    public static void Check(DType dtype, ReadOnlySpan<nint> inputs, ReadOnlySpan<Layout> inputLayouts, ReadOnlySpan<FusedStep> steps, in Layout outLayout)
    {
        if (dtype is not (DType.Float32 or DType.Float64))
            throw new NotSupportedException($"FusedElementwise: dtype {dtype} is not supported (float32/float64 only).");
        if (inputs.Length < 1 || inputs.Length > FusedStep.MaxInputs)
            throw new ArgumentException($"FusedElementwise: {inputs.Length} inputs; a program takes 1 to {FusedStep.MaxInputs}.", nameof(inputs));
        if (inputLayouts.Length != inputs.Length)
            throw new ArgumentException($"FusedElementwise: {inputs.Length} inputs but {inputLayouts.Length} input layouts.", nameof(inputLayouts));
        if (steps.Length < 1 || steps.Length > FusedStep.MaxSteps)
            throw new ArgumentException($"FusedElementwise: {steps.Length} steps; a program has 1 to {FusedStep.MaxSteps}.", nameof(steps));
        for (int k = 0; k < inputLayouts.Length; k++)
            if (!inputLayouts[k].Shape.Equals(outLayout.Shape))
                throw new ArgumentException($"FusedElementwise: input {k} has shape {inputLayouts[k].Shape} but the output {outLayout.Shape}.", nameof(inputLayouts));
        for (int s = 0; s < steps.Length; s++)
        {
            var st = steps[s];
            if (!Supports(st.Kind, st.Op))
                throw new ArgumentException($"FusedElementwise: step {s} ({st.Kind} op {st.Op}) is not an op a fused program can run.", nameof(steps));
            int defined = inputs.Length + s;
            if (st.A < 0 || st.A >= defined || (st.Kind == FusedKind.Binary && (st.B < 0 || st.B >= defined)))
                throw new ArgumentException($"FusedElementwise: step {s} reads a register outside 0..{defined - 1} (those written before it).", nameof(steps));
        }
    }
}
