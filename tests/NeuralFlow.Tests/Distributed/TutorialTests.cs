using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// The programs of the Keras/TensorFlow distributed-training tutorials and PyTorch's DDP tutorial
/// (the worker's Tutorials.cs), on 2 ranks against 1 process on the same global batches: the math
/// says the weights, the logged loss and metrics and Evaluate's and Predict's results agree (up
/// to float32 rounding of the summed gradients).
/// </summary>
public abstract class TutorialTests(string backend) : BackendTest(backend)
{
    private void RequireMpi()
    {
        RequireBackend();
        MpiJob.Require();
    }

    private static double Number(string s) => MpiJob.Number(s);

    private static double[] Weights(MpiJob.Result job, int rank) => job.Value(rank, "weights").Split(',').Select(Number).ToArray();

    // One process's weights against both ranks' of the 2-rank run, every float.
    private static void SameWeights(MpiJob.Result one, MpiJob.Result two)
    {
        var expected = Weights(one, 0);
        for (int r = 0; r < 2; r++)
        {
            var actual = Weights(two, r);
            Assert.Equal(expected.Length, actual.Length);
            double worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst < 1e-5, $"rank {r}'s weights differ from one process's by up to {worst}:\n{two.Output}");
        }
    }

    private (MpiJob.Result One, MpiJob.Result Two) OneAndTwo(string args)
    {
        var one = MpiJob.Run(1, BackendName, args);
        Assert.True(one.ExitCode == 0, one.Output);
        var two = MpiJob.Run(2, BackendName, args);
        Assert.True(two.ExitCode == 0, two.Output);
        return (one, two);
    }

    [SkippableFact]
    public void Fit_on_two_ranks_gives_one_process_weights_logs_evaluation_and_predictions_and_its_saved_model_loads_alone()
    {
        RequireMpi();
        var dir = Directory.CreateTempSubdirectory("neuralflow-tutorial-").FullName;
        try
        {
            // 203 examples in global batches of 64: a last batch of 11, split 5 and 6, so the ranks'
            // own epoch means differ from the global ones (before, their average was logged: the
            // loss 1e-4 and the accuracy 3e-5 away from one process's).
            var (one, two) = OneAndTwo($"keras_fit {dir} 203");
            SameWeights(one, two);
            foreach (var key in new[] { "fit_loss", "fit_accuracy", "fit_val_loss", "fit_val_accuracy", "eval_loss", "eval_accuracy" })
                for (int r = 0; r < 2; r++)
                    Assert.True(Math.Abs(Number(two.Value(r, key)) - Number(one.Value(0, key))) < 5e-6, $"{key} on rank {r}: {two.Value(r, key)}, one process: {one.Value(0, key)}");
            for (int r = 0; r < 2; r++)
                Assert.True(Math.Abs(Number(two.Value(r, "predict_sum")) - Number(one.Value(0, "predict_sum"))) < 1e-4, two.Output);
            Assert.Equal("(60, 10)", two.Value(1, "predict_shape"));
            // The chief alone wrote the checkpoint and the model; a single process loads them.
            Assert.True(File.Exists(Path.Combine(dir, "ckpt-world2.keras")));
            var model = Model.Load(Path.Combine(dir, "model-world2.keras"));
            var loaded = model.Variables.SelectMany(v => v.ToArray<float>()).Select(f => (double)f).ToArray();
            Assert.Equal(Weights(two, 0), loaded);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public void Fit_on_a_dataset_shuffled_without_a_seed_gives_the_ranks_disjoint_batches()
    {
        RequireMpi();
        // Before, each process's generator started elsewhere, so did each rank's shuffle, and the
        // ranks' batches overlapped (half of each rank's examples were the other's).
        var job = MpiJob.Run(2, BackendName, "dataset_shards");
        Assert.True(job.ExitCode == 0, job.Output);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var parts = Enumerable.Range(0, 2).Select(r => job.Value(r, $"seen{epoch}").Split(',').Select(int.Parse).ToArray()).ToArray();
            // 13 batches of 8 (the last of 4), each split 4 and 4 (2 and 2): 50 examples each, all 100 once.
            Assert.All(parts, p => Assert.Equal(50, p.Distinct().Count()));
            Assert.Equal(100, parts[0].Union(parts[1]).Count());
        }
        Assert.NotEqual(job.Value(0, "seen0"), job.Value(0, "seen1"));  // reshuffled each epoch
    }

    [SkippableFact]
    public void Fit_on_a_dataset_batched_with_the_global_batch_size_matches_one_process()
    {
        RequireMpi();
        // Before, each rank took whole batches in turn: every step trained on twice the batch, half as often.
        var (one, two) = OneAndTwo("keras_fit_dataset");
        SameWeights(one, two);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal("8", two.Value(r, "steps"));   // 2 epochs of 4 global batches
            foreach (var key in new[] { "fit_loss", "fit_accuracy" })
                Assert.True(Math.Abs(Number(two.Value(r, key)) - Number(one.Value(0, key))) < 5e-6, $"{key} on rank {r}: {two.Value(r, key)}, one process: {one.Value(0, key)}");
        }
    }

    [SkippableFact]
    public void TrainOnBatch_splits_the_global_batch_among_the_ranks_starting_from_rank_0s_weights()
    {
        RequireMpi();
        // Before, every rank trained on the whole batch and the gradients were summed (twice the
        // step), from each rank's own initial weights.
        var (one, two) = OneAndTwo("train_on_batch");
        SameWeights(one, two);
        for (int i = 0; i < 3; i++)
            for (int r = 0; r < 2; r++)
                Assert.True(Math.Abs(Number(two.Value(r, $"loss{i}")) - Number(one.Value(0, $"loss{i}"))) < 5e-6, two.Output);
    }

    [SkippableFact]
    public void An_overridden_TrainStep_has_its_optimizer_sum_the_ranks_gradients_as_Keras_does()
    {
        RequireMpi();
        // Before, each rank applied its own half-batch gradients: the ranks drifted apart silently.
        var (one, two) = OneAndTwo("custom_train_step");
        SameWeights(one, two);
    }

    [SkippableFact]
    public void The_custom_loop_with_a_global_batch_loss_summed_gradients_and_a_global_metric_matches_one_process()
    {
        RequireMpi();
        var (one, two) = OneAndTwo("custom_loop");
        SameWeights(one, two);
        for (int r = 0; r < 2; r++)
        {
            Assert.True(Math.Abs(Number(two.Value(r, "loss")) - Number(one.Value(0, "loss"))) < 1e-5, two.Output);
            Assert.Equal(one.Value(0, "accuracy"), two.Value(r, "accuracy"));  // counts summed: exact
        }
        // Each rank's own metric saw its half of the batches only; GlobalResult left it so.
        Assert.True(two.Value(0, "local_accuracy") != two.Value(0, "accuracy") || two.Value(1, "local_accuracy") != two.Value(1, "accuracy"), two.Output);
    }

    [SkippableFact]
    public void A_custom_step_compiled_with_NF_Function_replays_its_allreduce()
    {
        RequireMpi();
        // Before, the allreduce made the trace fail: every step ran eagerly ("it calls
        // DataParallel.AllReduceGradients, a collective across the ranks ...").
        var (one, two) = OneAndTwo("custom_loop_function");
        SameWeights(one, two);
        foreach (var (job, ranks) in new[] { (one, 1), (two, 2) })
            for (int r = 0; r < ranks; r++)
            {
                Assert.Equal("none", job.Value(r, "eager_reason"));
                Assert.True(int.Parse(job.Value(r, "replays")) > 0, job.Output);
            }
    }
}

public sealed class ManagedTutorialTests() : TutorialTests("managed");

public sealed class NativeCpuTutorialTests() : TutorialTests("cpu");

public sealed class CudaTutorialTests() : TutorialTests("cuda");
