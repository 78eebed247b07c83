namespace NeuralFlow;

/// <summary>
/// <c>[MethodImpl(Hot)]</c> marks the methods every op and training step runs through (from a
/// profile of the workshop loop: the library methods the runtime promoted as hot). The JIT
/// compiles them fully optimized at their first call, instead of starting them as unoptimized
/// tier-0 code that is recompiled, with profiling in between, once it has been called enough.
/// </summary>
/// <remarks>
/// Why: a training loop calls these methods thousands of times in its first second, while
/// tiered compilation was still working through them: the workshop loop ran 10-15% slower over
/// its first 2,000 steps than with them optimized up front (measured with the runtime's own
/// switch, <c>DOTNET_TC_QuickJit=0</c>), and the background recompilation competed with the
/// engine's worker for a core. The cost is a few milliseconds of compilation at the first
/// step. Only the hot path carries it: everything else tiers up as usual.
/// In a ReadyToRun build (ReadyToRun.targets, the default where crossgen2 targets the build
/// machine) these methods already start as optimized native code, and crossgen2 never
/// precompiles a method marked AggressiveOptimization: there the mark would make the JIT compile
/// all of them, fully optimized, during the first step (0.08-0.1 s of the first epoch), so it is
/// left out.
/// </remarks>
internal static class Jit
{
    /// <summary>
    /// The managed engine's kernels (src/NeuralFlow/Backends/Managed): compiled fully optimized at
    /// their first call in every build, ReadyToRun or not.
    /// </summary>
    /// <remarks>
    /// A ReadyToRun image cannot hold them usefully, so without the mark an image build starts
    /// them as tier-0 code, where a plain IL build (through <see cref="Hot"/>) compiled them
    /// optimized: the instantiations over the engine's op structs and over
    /// <c>Vector512&lt;T&gt;</c> are refused by crossgen2 (it reports they "require runtime JIT"),
    /// and the image code of a method that asks <c>Vector256/512.IsHardwareAccelerated</c> was
    /// compiled for the baseline x64 instruction set and is rejected at run time on an AVX2 or
    /// AVX-512 machine. As tier-0 code, then instrumented code, the kernels waited behind the
    /// image's own tier-1 recompilations: the managed engine's 2,000-step workshop loop ran
    /// 3.1-3.4x behind the cpu engine with the image against 2.4-3.3x as plain IL (issue 17).
    /// The cost is their compilation at the managed engine's first step; the cpu and CUDA
    /// engines never call them.
    /// </remarks>
    internal const MethodImplOptions ManagedKernel = MethodImplOptions.AggressiveOptimization;

#if NEURALFLOW_READYTORUN
    /// <summary>No mark: the ReadyToRun image holds these methods precompiled (see remarks).</summary>
    internal const MethodImplOptions Hot = 0;
#else
    /// <summary>Compile fully optimized at the first call (<see cref="MethodImplOptions.AggressiveOptimization"/>).</summary>
    internal const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;
#endif
}
