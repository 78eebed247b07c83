namespace NeuralFlow;

// tf.function under a GradientTape (with ReplayUnderTape set; off by default): a call while a tape records replays the signature's plan as any
// call does and is recorded on the tape as one op (FunctionGradient), instead of running the C# body
// eagerly op by op. The first call of a signature traces, and the tape records that run's ops as it
// would an eager call's, so the trace costs nothing extra.
public sealed partial class TracedFunction
{
    // Its gradient recomputes the forward, which would update the variables a second time.
    private const string WritesUnderTapeReason = "it updates variables (an assign, an optimizer step, batch-norm statistics) while a GradientTape records, "
                                                 + "and its compiled gradient would recompute those updates";

    // A loop's random draws repeat per iteration under one ordinal, which the gradient's recomputation cannot give back.
    private const string ControlFlowUnderTapeReason = "it holds a loop or branch on a tensor predicate (NF.WhileLoop, NF.Cond), whose compiled gradient is not made; "
                                                      + "while a GradientTape records it runs eagerly, the tape seeing the iterations and branch taken";

    // A replay of a signature's plan recorded on the tape as one op (Call counts it as a replay).
    private Tensor[] ReplayOnTape(Entry entry, ReplayPlan plan, Tensor[] inputs, Tensor[] packed)
    {
        var gradient = entry.Gradient ??= new FunctionGradient(_body, Name, plan, packed, JitCompile, CudaGraphs);
        var draws = new RandomReuse.Draws();
        Tensor[] outputs;
        using (RandomReuse.Note(draws))
            outputs = plan.Replay(packed);
        return gradient.Record(inputs, outputs, draws);
    }

    // Why a call under the recording tapes of this thread runs eagerly, or null. A gradient that a
    // recording tape itself records (a persistent tape asked inside its block, or a tape inside
    // another: a second order) needs the function's own ops; FunctionGradient can give them by
    // recomputing the forward eagerly, but then every such gradient would cost an eager forward on
    // top of the replay, so these calls run eagerly from the start.
    private static string? TapeEagerReason(Tensor[] inputs)
    {
        int recording = 0;
        foreach (var tape in Tape.Active)
        {
            if (!tape.IsRecording) continue;
            if (tape.Persistent)
                return "it is called while a persistent GradientTape records (a gradient taken inside its block is recorded for a second order, "
                       + "which needs the function's own ops on the tape)";
            recording++;
        }
        if (recording > 1)
            return "it is called while more than one GradientTape records (an outer tape differentiates the inner one's gradient, "
                   + "which needs the function's own ops on the tapes)";
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is Variable v)
                for (int j = 0; j < i; j++)
                    if (ReferenceEquals(inputs[j], v))
                        return $"variable '{v.Name ?? "?"}' is passed twice while a GradientTape records (one gradient would be counted twice)";
        return null;
    }
}
