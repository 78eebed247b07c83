using NeuralFlow.Native;

namespace NeuralFlow.Backends.Native;

// Issue 17's fused elementwise programs (nf_fused_elementwise) over either engine's table.
internal abstract unsafe partial class NativeKernelBackend
{
    /// <inheritdoc cref="IBackend.FusedElementwise"/>
    [MethodImpl(Hot)]
    public void FusedElementwise(DType dtype, ReadOnlySpan<nint> inputs, ReadOnlySpan<Layout> inputLayouts, ReadOnlySpan<FusedStep> steps,
                                 nint output, in Layout outLayout)
    {
        // Checked here as well as natively: the stack buffers below are sized by these counts.
        FusedProgram.Check(dtype, inputs, inputLayouts, steps, outLayout);
        NfLayout* layouts = stackalloc NfLayout[inputs.Length];
        for (int k = 0; k < inputs.Length; k++) layouts[k] = ToNative(inputLayouts[k]);
        NfFusedStep* program = stackalloc NfFusedStep[steps.Length];
        for (int s = 0; s < steps.Length; s++)
            program[s] = new NfFusedStep { Kind = (int)steps[s].Kind, Op = steps[s].Op, A = steps[s].A, B = steps[s].B };
        NfLayout lo = ToNative(outLayout);
        Enter();
        fixed (nint* pointers = inputs)
            Api.ThrowIfFailed(Api.fused_elementwise((int)dtype, inputs.Length, pointers, layouts, steps.Length, program, output, &lo));
    }
}
