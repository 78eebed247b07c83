// Rank 1 fails on its own while rank 0 goes on into the next collective (Distributed/
// DistFailureTests.cs reads what they print): "rank 1: trouble ..." and its time, then rank 1's
// exception leaves the scenario (an unhandled exception, as a user's program would end), except
// where noted. Rank 0 must fail at once with "rank 1 failed: ..." (Program.cs prints its
// DistributedException as "error"), not wait for the collective timeout.
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

internal sealed class Failures(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs)
{
    private const int Steps = 12;

    public void Run(string where)
    {
        switch (where)
        {
            case "fit_loss": FitLoss(); break;
            case "fit_callback": FitCallback(); break;
            case "evaluate": Evaluate(); break;
            case "predict": Predict(); break;
            case "loop": Loop(compiled: false, caught: false); break;
            case "function": Loop(compiled: true, caught: false); break;
            case "disposed": Loop(compiled: false, caught: true); break;
            case "thread": OtherThread(); break;
            default: throw new ArgumentException($"unknown failure scenario {where}");
        }
        say("finished", where);
    }

    // A thread of rank 1's own (a data loader's, say) dies of an unhandled exception while rank 1's
    // main thread waits in a collective (the barrier rank 0 joins 5 s later). The exception's hook
    // runs on the thread that threw and must not call MPI beside the waiting one
    // (MPI_THREAD_SERIALIZED): its note goes out from the waiting thread, whose wait then fails at
    // once, long before rank 0 joins; rank 0 fails with rank 1's exception when it does.
    private void OtherThread()
    {
        if (strategy.Rank == 0) Thread.Sleep(5000);
        else new Thread(() =>
        {
            Thread.Sleep(500);
            Trouble("the data loader thread of rank 1 failed");
        }) { IsBackground = true }.Start();
        say("joined_at_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        strategy.Barrier();
        // Rank 1 entered the first barrier before it failed, so rank 0's completes; rank 0 learns
        // of the failure waiting in the next one.
        strategy.Barrier();
    }

    // Rank 1's trouble at its `at`-th call: printed (with the time) before it throws.
    private void Trouble(string what)
    {
        say("trouble", what);
        say("trouble_at_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        throw new InvalidOperationException(what);
    }

    private Model Compiled(Func<Tensor, Tensor, Tensor>? loss = null)
    {
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        if (loss is null) model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        else model.Compile(new Optimizers.SGD(learningRate: 0.05f), loss, runEagerly: true);
        return model;
    }

    // The user's loss lambda throws on rank 1 (a NaN check of the user's), in the 5th step.
    private void FitLoss()
    {
        var (x, y) = blobs(32 * Steps, 3);
        int calls = 0;
        var sce = Losses.Get("sparse_categorical_crossentropy");
        var model = Compiled((yTrue, yPred) =>
        {
            if (strategy.Rank == 1 && ++calls == 5) Trouble("loss is NaN in step 5 on rank 1");
            return sce.Call(yTrue, yPred);
        });
        model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0);
    }

    // A callback throws on rank 1 after batch 3; rank 1 catches it and ends normally (the
    // strategy disposed after a failure ends the job).
    private void FitCallback()
    {
        var (x, y) = blobs(32 * Steps, 3);
        var model = Compiled();
        var trouble = new Callbacks.LambdaCallback(onBatchEnd: (batch, _) =>
        {
            if (strategy.Rank == 1 && batch == 3) Trouble("callback failed after batch 3 on rank 1");
        });
        try
        {
            model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0, callbacks: [trouble]);
        }
        catch (InvalidOperationException e)
        {
            say("own_error", e.Message);
        }
    }

    private void Evaluate()
    {
        var (x, y) = blobs(32 * Steps, 3);
        var model = Compiled();
        model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        var trouble = new Callbacks.LambdaCallback(onTestBatchBegin: batch =>
        {
            if (strategy.Rank == 1 && batch == 2) Trouble("bad batch 2 in Evaluate on rank 1");
        });
        model.Evaluate(x, y, batchSize: 32, callbacks: [trouble]);
    }

    private void Predict()
    {
        var (x, _) = blobs(32 * Steps, 3);
        var model = Compiled();
        model.Call(x[..1]);
        var trouble = new Callbacks.LambdaCallback(onPredictBatchBegin: batch =>
        {
            if (strategy.Rank == 1 && batch == 2) Trouble("file of batch 2 missing in Predict on rank 1");
        });
        model.Predict(x, batchSize: 32, callbacks: [trouble]);
    }

    // A custom loop (eager, or its step an NF.Function replaying): rank 1's bad batch, of 21
    // features instead of 20, in step 4. With `caught`, rank 1 catches it and disposes its
    // strategy (which ends the job once the others have learned it).
    private void Loop(bool compiled, bool caught)
    {
        const int global = 32;
        var (x, y) = blobs(global * Steps, 3);
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Call(x[..1]);
        strategy.Broadcast(model.Variables);
        var step = Tutorials.GlobalBatchStep(strategy, model, new Optimizers.SGD(learningRate: 0.1f), global);
        if (compiled) step = NF.Function(step);
        try
        {
            for (int i = 0; i < Steps; i++)
            {
                int from = i * global + global * strategy.Rank / strategy.WorldSize, to = i * global + global * (strategy.Rank + 1) / strategy.WorldSize;
                var xs = x[from..to];
                if (strategy.Rank == 1 && i == 4)
                {
                    say("trouble", "a batch of 21 features in step 4 on rank 1");
                    say("trouble_at_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    xs = NF.Concat([xs, xs[.., ..1]], axis: 1);
                }
                step(xs, y[from..to]);
            }
        }
        catch (Exception e) when (caught && strategy.Rank == 1)
        {
            say("own_error", e.GetType().Name);
            strategy.Dispose();
        }
    }
}
