namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// What happens when a rank is lost (the job ends within a bounded time, naming it), when the
/// job restarts from a BackupAndRestore checkpoint, and when MPI is missing. Backend-independent:
/// run on the default backend.
/// </summary>
public sealed class DataParallelFailureTests
{
    private static void RequireMpi() => MpiJob.Require();

    [SkippableFact]
    public void A_killed_rank_ends_the_job_with_an_error_naming_it()
    {
        RequireMpi();
        var job = MpiJob.Run(2, "cpu", "kill", env: new Dictionary<string, string> { ["NEURALFLOW_DIST_TIMEOUT"] = "20" });
        Assert.NotEqual(0, job.ExitCode);
        Assert.Equal("killing itself after batch 5", job.Value(1, "trouble"));
        // Open MPI notices the lost process and ends the others ("process rank 1 ... exited on signal 9").
        Assert.Matches(@"rank 1 with PID \d+ on node \S+ exited on signal 9", job.Output);
        Assert.DoesNotContain("rank 0: done", job.Output);
    }

    [SkippableFact]
    public void A_hung_rank_makes_the_others_fail_within_the_timeout_naming_it()
    {
        RequireMpi();
        var job = MpiJob.Run(2, "cpu", "hang", env: new Dictionary<string, string> { ["NEURALFLOW_DIST_TIMEOUT"] = "3" });
        Assert.NotEqual(0, job.ExitCode);
        // From the ranks' own files (MpiJob): mpirun's shared output can cut a long line in two.
        Assert.Equal("hanging after batch 5", job.Value(1, "trouble"));
        Assert.Matches(@"^nf_dist_\w+: collective #\d+ did not complete within 3 s on rank 0 of 2: rank 1 has not reached it .*so rank 1 is hung or dead", job.Value(0, "error"));
        // Timed from the hang, not from the job's start (two .NET start-ups and a warm-up Fit, which
        // a loaded machine stretches past any fixed bound on the whole job): rank 0
        // gives up 3 s after the hang, and MPI_Abort ends the hung rank, well before the harness
        // would kill the job.
        double endedAfter = (job.EndedAtMs - long.Parse(job.Value(1, "trouble_at_ms"))) / 1000.0;
        double failedAfter = (long.Parse(job.Value(0, "error_at_ms")) - long.Parse(job.Value(1, "trouble_at_ms"))) / 1000.0;
        Assert.True(failedAfter < 3 + 20 && endedAfter < 3 + 30,
            $"rank 0 failed {failedAfter:0.0} s and the job ended {endedAfter:0.0} s after rank 1 hung:\n{job.Output}");
    }

    [SkippableFact]
    public void A_restarted_job_continues_from_its_last_BackupAndRestore_epoch_with_the_uninterrupted_weights()
    {
        RequireMpi();
        var dir = Directory.CreateTempSubdirectory("neuralflow-backup-").FullName;
        var fresh = Directory.CreateTempSubdirectory("neuralflow-backup-fresh-").FullName;
        try
        {
            var crashed = MpiJob.Run(2, "cpu", $"resume {dir} 1");
            Assert.NotEqual(0, crashed.ExitCode);
            Assert.Contains("simulated crash after epoch 1", crashed.Output);
            var resumed = MpiJob.Run(2, "cpu", $"resume {dir}");
            Assert.True(resumed.ExitCode == 0, resumed.Output);
            Assert.Equal("2,3", resumed.Value(0, "epochs"));
            Assert.Equal("2,3", resumed.Value(1, "epochs"));
            var whole = MpiJob.Run(2, "cpu", $"resume {fresh}");
            Assert.Equal("0,1,2,3", whole.Value(0, "epochs"));
            Assert.Equal(whole.Value(0, "weights"), resumed.Value(0, "weights"));
            Assert.Equal(resumed.Value(0, "weights"), resumed.Value(1, "weights"));
        }
        finally
        {
            // BackupAndRestore removes a directory it emptied at the end of Fit, as Keras does.
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
        }
    }

    [SkippableFact]
    public void Bad_requests_are_named_and_leave_the_strategy_usable()
    {
        RequireMpi();
        var job = MpiJob.Run(2, "cpu", "errors");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int r = 0; r < 2; r++)
        {
            Assert.StartsWith("DistributedException: DataParallel: a strategy (rank", job.Value(r, "error_second_strategy"));
            Assert.Equal("ArgumentException: AllReduceGradients: gradient 1 is int32 (shape (2,)); gradients are float32 or float64. (Parameter 'gradients')", job.Value(r, "error_int_gradient"));
            Assert.StartsWith("ArgumentOutOfRangeException: DataParallel: root must be a rank, 0 to 1.", job.Value(r, "error_root"));
            Assert.StartsWith("ArgumentOutOfRangeException: DataParallel: bucketSizeMb must be a finite number greater than 0.", job.Value(r, "error_bucket_size"));
            Assert.Equal("NotSupportedException: nf_dist_allreduce: dtype 2 is not supported (float32 and float64 are)", job.Value(r, "error_native_dtype"));
            Assert.Equal("ArgumentException: nf_dist_wait: handle 12345 is not a pending allreduce", job.Value(r, "error_native_handle"));
            Assert.StartsWith("ArgumentException: nf_dist_allreduce: count -1 is outside 0..2147483647", job.Value(r, "error_native_count"));
            Assert.Equal("3", job.Value(r, "sum_after_errors"));  // 1 + 2: the collectives still line up
        }
    }

    [SkippableFact]
    public void The_DistributedMnist_sample_trains_on_two_ranks_and_prints_from_rank_0()
    {
        RequireMpi();
        string dll = Path.Combine(Samples.Repo.Root, "samples", "DistributedMnist", "bin", Samples.Repo.Configuration, "net10.0", "DistributedMnist.dll");
        var job = MpiJob.Run(2, "cpu", "--epochs 1 --samples 2000", program: dll);
        Assert.True(job.ExitCode == 0, job.Output);
        // Each rank's own output (whole lines; the shared one can cut a line in two).
        var (chief, other) = (job.RankOutput(0), job.RankOutput(1));
        Assert.Matches(@"(?m)^NeuralFlow on cpu, 2 rank\(s\) over Open MPI", chief);
        Assert.Matches(@"(?m)^rank 0: \d+ samples/s on this rank, \d+ samples/s in all", chief);
        Assert.Matches(@"(?m)^rank 1: \d+ samples/s on this rank", other);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(chief, @"(?m)^Test loss: \d+\.\d{4} - test accuracy: 0\.\d{4}"));
        Assert.DoesNotMatch(@"Test loss|NeuralFlow on", other);
    }

    [Fact]
    public void Without_the_MPI_engine_DataParallel_says_what_is_missing_and_how_to_get_it()
    {
        // Run as its own process (no mpirun needed): the engine is looked for once per process.
        // NEURALFLOW_DIST_PATH names a file that is no library, as a machine without MPI's own
        // libraries sees the real one.
        var dir = Directory.CreateTempSubdirectory("neuralflow-nodist-").FullName;
        try
        {
            var fake = Path.Combine(dir, "libneuralflow_dist.so");
            File.WriteAllText(fake, "not a library");
            var job = MpiJob.Run(1, "managed", "grads", mpirun: false, env: new Dictionary<string, string> { ["NEURALFLOW_DIST_PATH"] = fake });
            Assert.NotEqual(0, job.ExitCode);
            Assert.Contains("DistributedException", job.Output);
            Assert.Contains("DataParallel needs NeuralFlow's MPI engine", job.Output);
            Assert.Contains(fake + " (could not be loaded", job.Output);
            Assert.Contains("apt-get install libopenmpi-dev openmpi-bin", job.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
