namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Predict under DataParallel with stepsPerExecution 3 stops at the step where a callback set
/// StopPredicting, mid-block, as one process does (Keras checks stop_predicting after each step):
/// a begin hook that stops at batch 3 (blocks 0-2, 3-5, 6 of 7 batches of 16) gives the first 4
/// batches' 64 rows on every rank, and the block's end hook gets the rows of the batches run.
/// With a callback that reads the outputs, the ranks stopped only at the block's end before (96
/// rows); with the stop on the chief only, the other rank ran on and the job failed gathering the
/// outputs. A step limit of 4 cuts the second block short alike. The worker's scenario is PredictStops.cs.
/// </summary>
public abstract class PredictStopsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_stop_mid_block_stops_every_rank_at_that_step()
    {
        RequireBackend();
        MpiJob.Require();
        var alone = MpiJob.Run(1, BackendName, "predict_stops");
        var job = MpiJob.Run(2, BackendName, "predict_stops");
        Assert.True(alone.ExitCode == 0 && job.ExitCode == 0, alone.Output + job.Output);
        string[] keys = ["begin_stop_read", "begin_stop", "chief_stop", "chief_stop_read", "steps_limit"];
        var wrong = MpiJob.Differences(alone, job, keys, 1e-5);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        foreach (var key in keys) Assert.StartsWith("64:", job.Value(1, key));
        // The end hooks: the first block's 3 batches (48 rows), then the stopped block's one batch.
        Assert.Matches(@"\|2=48:[^;]*;3=16:[^;]*$", job.Value(1, "begin_stop_read"));
        Assert.Matches(@"\|2=48:[^;]*;3=16:[^;]*$", job.Value(0, "steps_limit"));
    }
}

public sealed class ManagedPredictStopsTests() : PredictStopsTests("managed");

public sealed class NativeCpuPredictStopsTests() : PredictStopsTests("cpu");

public sealed class CudaPredictStopsTests() : PredictStopsTests("cuda");
