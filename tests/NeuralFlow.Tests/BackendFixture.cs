using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// Runs a test class against one backend. The native CPU backend is skipped (visibly) where
/// the native library was not built, unless NEURALFLOW_REQUIRE_NATIVE=1 (CI) makes that a failure;
/// the CUDA backend is skipped, with the driver's reason, where no GPU can be used.
/// </summary>
public abstract class BackendTest : IDisposable
{
    private readonly IDisposable? _scope;

    protected BackendTest(string backend)
    {
        BackendName = backend;
        if (backend == "cuda" && BackendRegistry.Cuda.Count == 0)
        {
            // Visible in every test report: which suite did not run on a GPU, and why.
            SkipReason = $"no CUDA device: {BackendRegistry.CudaFailure}";
            return;
        }
        if (backend == "cpu" && BackendRegistry.NativeCpu is null)
        {
            if (Environment.GetEnvironmentVariable("NEURALFLOW_REQUIRE_NATIVE") == "1")
                throw new InvalidOperationException($"NEURALFLOW_REQUIRE_NATIVE=1 but the native backend is missing: {BackendRegistry.NativeFailure}");
            SkipReason = $"native CPU backend not built: {BackendRegistry.NativeFailure}";
            return;
        }
        _scope = NF.UseBackend(backend);
    }

    protected string BackendName { get; }
    protected string? SkipReason { get; }

    /// <summary>Call first in every test: skips when this backend is not available here.</summary>
    protected void RequireBackend() => Skip.If(SkipReason is not null, SkipReason);

    public void Dispose()
    {
        _scope?.Dispose();
        GC.SuppressFinalize(this);
    }
}
