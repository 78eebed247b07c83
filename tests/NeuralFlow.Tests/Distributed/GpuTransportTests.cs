using System.Globalization;

namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Issue 18's GPU paths, 2 ranks under mpirun: gradients on a GPU travel by NCCL (here the fake
/// libneuralflow_fake_nccl, NCCL's entry points over MPI), by a CUDA-aware MPI (forced with
/// NEURALFLOW_DIST_CUDA_AWARE=1: the emulated engine's device memory is host memory, which MPI
/// reads) or staged through page-locked buffers; each must give the full batch's gradients and
/// the same weights on both ranks, and all three the same bits. On the host backends the same
/// settings must leave the host path alone (no GPU transport is chosen).
/// </summary>
public abstract class GpuTransportTests(string backend) : BackendTest(backend)
{
    private static readonly string FakeNccl = Path.Combine(Samples.Repo.Root, "build", "native", "native", "tests", "libneuralflow_fake_nccl.so");

    private bool OnGpu => BackendName == "cuda";

    private void RequireMpi()
    {
        RequireBackend();
        MpiJob.Require();
    }

    private Dictionary<string, string> Settings(string transport)
    {
        var env = new Dictionary<string, string> { ["NEURALFLOW_DIST_CUDA_AWARE"] = "0", ["NEURALFLOW_DIST_NCCL"] = "OFF" };
        switch (transport)
        {
            case "CudaAwareMpi": env["NEURALFLOW_DIST_CUDA_AWARE"] = "1"; break;
            case "Nccl":
                if (!File.Exists(FakeNccl))
                {
                    string why = $"{FakeNccl} was not built (native/tests builds it where CMake finds MPI)";
                    if (Environment.GetEnvironmentVariable("NEURALFLOW_REQUIRE_MPI") == "1") Assert.Fail($"NEURALFLOW_REQUIRE_MPI=1 but {why}");
                    Skip.If(true, why);
                }
                env["NEURALFLOW_DIST_NCCL"] = "ON";
                env["NEURALFLOW_NCCL_PATH"] = FakeNccl;
                break;
        }
        return env;
    }

    private void AssertTransport(MpiJob.Result job, int rank, string transport) =>
        Assert.True(job.Value(rank, "gpu_transport") == (OnGpu ? transport : "NotChosen"), job.Output);

    [SkippableTheory]
    [InlineData("StagedThroughPinnedHost")]
    [InlineData("CudaAwareMpi")]
    [InlineData("Nccl")]
    public void Gradients_averaged_over_two_half_batches_equal_the_full_batch_gradients(string transport)
    {
        RequireMpi();
        var job = MpiJob.Run(2, BackendName, "grads --bucket-mb 0.002", env: Settings(transport));
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
        {
            AssertTransport(job, r, transport);
            Assert.True(double.Parse(job.Value(r, "max_rel_err"), CultureInfo.InvariantCulture) < 1e-6, job.Output);
            Assert.Equal("True", job.Value(r, "null_kept_unused"));
        }
    }

    [SkippableFact]
    public void Every_transport_keeps_the_ranks_bit_identical_for_50_steps_and_gives_the_same_bits()
    {
        RequireMpi();
        var hashes = new List<string>();
        foreach (var transport in new[] { "StagedThroughPinnedHost", "CudaAwareMpi", "Nccl" })
        {
            var job = MpiJob.Run(2, BackendName, "steps --bucket-mb 0.002", timeoutSeconds: 120, env: Settings(transport));
            Assert.True(job.ExitCode == 0, job.Output);
            Assert.Equal("50", job.Value(0, "steps"));
            Assert.Equal(job.Value(0, "weights"), job.Value(1, "weights"));
            hashes.Add(job.Value(0, "weights"));
            for (int r = 0; r < 2; r++)
            {
                AssertTransport(job, r, transport);
                int pinned = int.Parse(job.Value(r, "pinned_allocations"), CultureInfo.InvariantCulture);
                if (OnGpu && transport == "StagedThroughPinnedHost")
                    Assert.True(pinned is > 0 and < 50, $"one page-locked buffer per bucket, reused every step: {pinned} allocations in 50 steps\n{job.Output}");
                else Assert.Equal(0, pinned);
                if (OnGpu && transport == "Nccl")
                {
                    // Fit's broadcast of rank 0's initial weights (one per variable; the ranks start from
                    // different ones) and every bucket of every step (a multiple of the 50 steps) went through NCCL.
                    long calls = long.Parse(job.Value(r, "nccl_calls"), CultureInfo.InvariantCulture);
                    long reductions = calls - int.Parse(job.Value(r, "variables"), CultureInfo.InvariantCulture);
                    Assert.True(reductions >= 50 && reductions % 50 == 0, $"{calls} NCCL calls in 50 steps\n{job.Output}");
                }
            }
        }
        Assert.All(hashes, h => Assert.Equal(hashes[0], h));
    }

    [SkippableFact]
    public void Nccl_required_but_missing_ends_the_job_naming_the_rank_and_the_reason()
    {
        RequireMpi();
        var env = new Dictionary<string, string> { ["NEURALFLOW_DIST_NCCL"] = "ON", ["NEURALFLOW_NCCL_PATH"] = "/nonexistent/libnccl.so.2" };
        var job = MpiJob.Run(2, BackendName, "grads", env: env);
        if (!OnGpu)
        {
            Assert.True(job.ExitCode == 0, job.Output);  // host tensors never need NCCL
            return;
        }
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("NCCL was required (NEURALFLOW_DIST_NCCL=ON) but rank", job.Output);
        Assert.Contains("/nonexistent/libnccl.so.2", job.Output);
    }

    [SkippableFact]
    public void A_bad_nccl_setting_is_refused_when_the_strategy_is_made()
    {
        RequireMpi();
        var job = MpiJob.Run(1, BackendName, "grads", env: new Dictionary<string, string> { ["NEURALFLOW_DIST_NCCL"] = "maybe" });
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("NEURALFLOW_DIST_NCCL='maybe' is not AUTO, ON or OFF.", job.Output);
    }

    [SkippableFact]
    public void Optimizer_state_broadcast_from_rank_0_keeps_the_ranks_identical()
    {
        RequireMpi();
        // Rank 0 alone took 3 Adam steps (EMA on) before the broadcast; 5 averaged steps follow.
        var job = MpiJob.Run(2, BackendName, "optimizer");
        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Equal("8", job.Value(0, "iterations"));
        Assert.Equal("8", job.Value(1, "iterations"));
        Assert.Equal(job.Value(0, "weights"), job.Value(1, "weights"));
        Assert.Equal(job.Value(0, "averages"), job.Value(1, "averages"));
        Assert.DoesNotContain("-", job.Value(0, "averages"));  // every weight has its moving average
    }
}

public sealed class ManagedGpuTransportTests() : GpuTransportTests("managed");

public sealed class NativeCpuGpuTransportTests() : GpuTransportTests("cpu");

public sealed class CudaGpuTransportTests() : GpuTransportTests("cuda");
