// One rank of the distributed tests: mpirun -np N dotnet NeuralFlow.DistTests.Worker.dll SCENARIO [ARGS].
// Each scenario prints "rank R: KEY VALUE" lines that Distributed/DataParallelTests.cs reads.
//   grads            gradients averaged over the ranks' parts of a batch vs. one process's full batch
//   steps            50 Fit steps from different initial weights per rank; a hash of the weights
//   fit              Fit on a synthetic 10-class problem; the validation accuracy
//   kill | hang      rank 1 dies (SIGKILL) or stops answering during Fit
//   resume DIR [crash-at-epoch]   Fit with BackupAndRestore in DIR; rank 0 throws at the end of that epoch
//   dataset          Fit on a Dataset of 25 batches (each split among the ranks: 25 steps per rank)
//   errors           bad requests to the engine and the strategy: each exception's type and message
//   optimizer        rank 0 alone takes 3 Adam steps (EMA on), then broadcasts weights and optimizer state;
//                    5 averaged steps follow: the weights' hash and the iteration count
//   replay_fit | replay_loop | replay_mismatch   steps run eagerly and replayed (NF.Function, Fit's traced
//                    steps): Replays.cs
//   fail WHERE       rank 1 fails on its own (in Fit, Evaluate, Predict, a custom loop): Failures.cs
//   shard_eval N B   Evaluate and Predict of N examples in batches of B, sharded: ShardedEvaluation.cs
//   running_logs     the running loss a callback reads after each batch of Fit: ShardedEvaluation.cs
//   batch_logs       the logs and outputs the batch hooks of Evaluate, Predict and Fit (blocks of
//                    stepsPerExecution, overridden steps) get: DistLogs.cs
//   keras_tutorial DIR   keras.ipynb and save_and_load.ipynb: checkpoints, a schedule, load and go on: DistLogsTutorial.cs
//   uneven_steps N B overridden TestStep, TrainStep and PredictStep on N examples in batches of B,
//                    a rank's part of a batch (or of every batch) empty: UnevenCustomSteps.cs
//   uneven_bn        a rank's stand-in step (its part of a batch empty) leaves BatchNormalization's moving
//                    statistics as they were: UnevenBatchNormalization.cs
//   uneven_fit N B   Fit (tensors, a dataset, sample weights) and TrainOnBatch when the last global batch, or
//                    the whole data, is smaller than the world: UnevenFit.cs
//   short_block_backup DIR [crash]   BackupAndRestore at a stepsPerExecution block the data cuts short
//                    (the chief dies after it): ShortBlockBackup.cs
//   predict_stops    Predict stopped mid-block (stepsPerExecution 3) by a begin hook, on the chief only, by steps: PredictStops.cs
//   ctl_tutorial DIR [crash-after-epoch]   multi_worker_with_ctl.ipynb: a sharded dataset, a compiled custom step,
//                    Train.Checkpoint/CheckpointManager of the model, epoch and step (the chief dies after a save): CtlTutorial.cs
//   progress         Fit, Evaluate and Predict with verbose 1 and 2: the bars (on rank 0 only)
//   multi_worker DIR [crash-after]   multi_worker_with_keras.ipynb: a repeated dataset, BackupAndRestore
//                    every 5 batches (rank 0 dies after that many batches), every worker saves: MultiWorkerTutorial.cs
// Every scenario ends with the GPU transport chosen (and, staged, the pinned buffers allocated;
// with a fake NCCL, the collectives it carried).
using System.Diagnostics;
using System.Security.Cryptography;
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;
using NeuralFlow.Native;

double bucketMb = args.Contains("--bucket-mb") ? double.Parse(args[Array.IndexOf(args, "--bucket-mb") + 1], System.Globalization.CultureInfo.InvariantCulture) : 25;
// kill | hang run with a short collective timeout (NEURALFLOW_DIST_TIMEOUT): a rank that lagged
// behind the other by more than that before rank 1's trouble (the first Fit's JIT and trace, slow
// on a loaded machine) made rank 0 time out too early. Their first Fit runs here, before
// DataParallel joins the job: MPI's initialisation then starts the ranks together, warm.
if (args.Length > 0 && args[0] is "kill" or "hang") WarmUp();
using var strategy = new DataParallel(bucketSizeMb: bucketMb);
int rank = strategy.Rank;
// Each line also goes to this rank's own file when the harness names a folder: mpirun forwards
// the ranks' terminals in fragments, so a long line of one rank can be cut by another's (seen in CI).
string? sayFile = Environment.GetEnvironmentVariable("NEURALFLOW_DIST_TEST_OUT") is { Length: > 0 } sayDir ? Path.Combine(sayDir, $"rank{rank}.txt") : null;
void Say(string key, object value)
{
    string line = $"rank {rank}: {key} {value}";
    Console.WriteLine(line);
    if (sayFile is not null) File.AppendAllText(sayFile, line + "\n");
}
Say("world", strategy.WorldSize);
Say("backend", NF.Backend.Name);
try
{
    switch (args[0])
    {
        case "grads": Grads(); break;
        case "steps": Steps(); break;
        case "fit": FitScenario(); break;
        case "kill": Lost(kill: true); break;
        case "hang": Lost(kill: false); break;
        case "resume": Resume(args[1], args.Length > 2 ? int.Parse(args[2]) : -1); break;
        case "errors": Errors(); break;
        case "dataset": DatasetScenario(); break;
        case "optimizer": OptimizerScenario(); break;
        case "keras_fit": new Tutorials(strategy, Say, Blobs).KerasFit(args[1], int.Parse(args[2])); break;
        case "keras_fit_dataset": new Tutorials(strategy, Say, Blobs).KerasFitDataset(); break;
        case "train_on_batch": new Tutorials(strategy, Say, Blobs).TrainOnBatch(); break;
        case "dataset_shards": new Tutorials(strategy, Say, Blobs).DatasetShards(); break;
        case "mismatch": new Tutorials(strategy, Say, Blobs).Mismatch(args[1]); break;
        case "custom_train_step": new Tutorials(strategy, Say, Blobs).CustomTrainStep(); break;
        case "custom_loop": new Tutorials(strategy, Say, Blobs).CustomLoop(compiled: false); break;
        case "custom_loop_function": new Tutorials(strategy, Say, Blobs).CustomLoop(compiled: true); break;
        case "replay_fit": new Replays(strategy, Say, Blobs, Hash).Fit(); break;
        case "replay_loop": new Replays(strategy, Say, Blobs, Hash).Loop(); break;
        case "replay_mismatch": new Replays(strategy, Say, Blobs, Hash).Mismatch(); break;
        case "fail": new Failures(strategy, Say, Blobs).Run(args[1]); break;
        case "shard_eval": new ShardedEvaluation(Say, Blobs).Run(int.Parse(args[1]), int.Parse(args[2])); break;
        case "running_logs": new ShardedEvaluation(Say, Blobs).RunningLogs(); break;
        case "batch_logs": new DistLogs(Say, Blobs).Run(); break;
        case "keras_tutorial": new DistLogsTutorial(strategy, Say, Blobs).Run(args[1]); break;
        case "uneven_steps": new UnevenCustomSteps(Say, Blobs).Run(int.Parse(args[1]), int.Parse(args[2])); break;
        case "uneven_fit": new UnevenFit(Say, Blobs).Run(int.Parse(args[1]), int.Parse(args[2])); break;
        case "uneven_bn": new UnevenBatchNormalization(Say).Run(); break;
        case "short_block_backup": new ShortBlockBackup(strategy, Say, Blobs).Run(args[1], args.Length > 2 && args[2] == "crash"); break;
        case "predict_stops": new PredictStops(strategy, Say, Blobs).Run(); break;
        case "ctl_tutorial": new CtlTutorial(strategy, Say, Blobs).Run(args[1], args.Length > 2 ? int.Parse(args[2]) : -1); break;
        case "progress": Progress(); break;
        case "custom_metric": new CustomMetricState(Say, Blobs).Run(int.Parse(args[1]), int.Parse(args[2])); break;
        case "multi_worker": new MultiWorkerTutorial(strategy, Say, Blobs).Run(args[1], args.Length > 2 ? int.Parse(args[2]) : 0); break;
        default: throw new ArgumentException($"unknown scenario {args[0]}");
    }
}
catch (DistributedException e)
{
    Say("error", e.Message);
    Say("error_at_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    return 3;  // disposing the strategy now ends the whole job (MPI_Abort)
}
Say("gpu_transport", strategy.GpuTransport);
Say("gpu_transport_reason", strategy.GpuTransportReason);
Say("pinned_allocations", strategy.PinnedAllocations);
if (strategy.GpuTransport == GpuTransport.Nccl && Environment.GetEnvironmentVariable("NEURALFLOW_NCCL_PATH") is { Length: > 0 } fake)
    unsafe { Say("nccl_calls", ((delegate* unmanaged<long>)System.Runtime.InteropServices.NativeLibrary.GetExport(System.Runtime.InteropServices.NativeLibrary.Load(fake), "fake_nccl_calls"))()); }
Say("done", "ok");
return 0;

// A two-layer network in float64 written with NF ops, so the comparison is not float32 rounding.
void Grads()
{
    NF.Random.SetSeed(7);
    const int n = 64;
    var x = NF.Random.Normal([n, 20], dtype: DType.Float64);
    var y = NF.Random.Normal([n, 3], dtype: DType.Float64);
    var w1 = new Variable(NF.Random.Normal([20, 16], stddev: 0.3, dtype: DType.Float64), name: "w1");
    var b1 = new Variable(NF.Random.Normal([16], stddev: 0.1, dtype: DType.Float64), name: "b1");
    var w2 = new Variable(NF.Random.Normal([16, 3], stddev: 0.3, dtype: DType.Float64), name: "w2");
    var unused = new Variable(NF.Random.Normal([5], dtype: DType.Float64), name: "unused");
    Variable[] vars = [w1, b1, unused, w2];
    Tensor?[] Gradients(Tensor xs, Tensor ys)
    {
        using var tape = new GradientTape();
        var h = NF.Tanh(NF.MatMul(xs, w1) + b1);
        var loss = NF.ReduceMean(NF.ReduceSum(NF.Square(NF.MatMul(h, w2) - ys), axis: 1));
        return tape.Gradient(loss, vars);
    }
    var full = Gradients(x, y);
    int from = n * rank / strategy.WorldSize, to = n * (rank + 1) / strategy.WorldSize;
    var averaged = strategy.AllReduceGradients(Gradients(x[from..to], y[from..to]));
    double worst = 0;
    for (int i = 0; i < vars.Length; i++)
    {
        if (full[i] is null) { Say($"null_kept_{vars[i].Name}", averaged[i] is null); continue; }
        var a = averaged[i]!.ToArray<double>();
        var b = full[i]!.ToArray<double>();
        double diff = Math.Sqrt(a.Zip(b, (p, q) => (p - q) * (p - q)).Sum()), norm = Math.Sqrt(b.Sum(q => q * q));
        worst = Math.Max(worst, diff / norm);
    }
    Say("max_rel_err", worst.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
}

(Tensor X, Tensor Y) Blobs(int n, int seed)
{
    // 10 overlapping Gaussian blobs in 20 dimensions (the same centers for every seed), the same
    // data on every rank whatever the world size.
    NF.Random.SetSeed(1);
    var centers = NF.Random.Normal([10, 20], stddev: 0.6);
    NF.Random.SetSeed(seed);
    var labels = NF.Cast(NF.Random.Uniform([n], 0, 10), DType.Int32);
    var x = NF.Gather(centers, labels) + NF.Random.Normal([n, 20]);
    return (x, labels);
}

Sequential Mlp() => new(new Layers.Dense(32, activation: "relu"), new Layers.Dense(10, activation: "softmax"));

string Hash(Model model)
{
    using var sha = SHA256.Create();
    foreach (var v in model.Variables)
    {
        var bytes = v.ToArray<float>().SelectMany(BitConverter.GetBytes).ToArray();
        sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
    }
    sha.TransformFinalBlock([], 0, 0);
    return Convert.ToHexString(sha.Hash!);
}

void Steps()
{
    var (x, y) = Blobs(800, 11);
    NF.Random.SetSeed(100 + rank);  // different initial weights per rank: Fit must broadcast rank 0's
    var model = Mlp();
    model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
    int steps = 0;
    model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (_, _) => steps++)]);
    Say("steps", steps);
    Say("variables", model.Variables.Count);
    Say("weights", Hash(model));
}

void FitScenario()
{
    var (x, y) = Blobs(2000, 3);
    var (xv, yv) = Blobs(500, 3 + 1000);
    NF.Random.SetSeed(5);
    var model = Mlp();
    model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
    var watch = Stopwatch.StartNew();
    var history = model.Fit(x, y, batchSize: 64, epochs: 4, verbose: 2, validationData: (xv, yv));
    Say("seconds", watch.Elapsed.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
    Say("val_accuracy", history["val_accuracy"][^1].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    Say("weights", Hash(model));
}

void Lost(bool kill)
{
    var (x, y) = Blobs(4000, 3);
    var model = Mlp();
    model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy");
    var trouble = new Callbacks.LambdaCallback(onBatchEnd: (batch, _) =>
    {
        if (rank != 1 || batch != 5) return;
        // Through Say, so that the line is in this rank's file before the process dies or stops:
        // the shared output forwarded by mpirun is not waited for. The time is what the harness
        // measures the job's end from (the machine's clock, shared by the ranks).
        Say("trouble", $"{(kill ? "killing itself" : "hanging")} after batch {batch}");
        Say("trouble_at_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Console.Out.Flush();
        if (kill) Process.GetCurrentProcess().Kill();
        else Thread.Sleep(Timeout.Infinite);
    });
    model.Fit(x, y, batchSize: 32, epochs: 3, verbose: 0, callbacks: [trouble]);
}

// The Fit of Lost on a throwaway model, in this process alone (no strategy yet): JIT and first trace.
void WarmUp()
{
    var (x, y) = Blobs(256, 3);
    var model = Mlp();
    model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy");
    model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0, callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (_, _) => { })]);
}

// Each call's output follows a "== CALL" line of this rank's stdout (which the test reads whole).
void Progress()
{
    var (x, y) = Blobs(100, 3);
    NF.Random.SetSeed(5);
    var model = Mlp();
    model.Compile(optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
    foreach (int verbose in new[] { 1, 2 })
    {
        Console.WriteLine($"== fit verbose {verbose}");
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: verbose);
        Console.WriteLine($"== evaluate verbose {verbose}");
        model.Evaluate(x, y, batchSize: 16, verbose: verbose);
        Console.WriteLine($"== predict verbose {verbose}");
        model.Predict(x, batchSize: 16, verbose: verbose);
    }
    Console.WriteLine("== end");
    Console.Out.Flush();
}

void Resume(string dir, int crashAt)
{
    var (x, y) = Blobs(400, 3);
    NF.Random.SetSeed(9);
    var model = Mlp();
    model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.01f), loss: "sparse_categorical_crossentropy");
    var epochs = new List<int>();
    var crash = new Callbacks.LambdaCallback(onEpochBegin: epochs.Add, onEpochEnd: (epoch, _) =>
    {
        if (epoch == crashAt && rank == 0) throw new InvalidOperationException($"simulated crash after epoch {epoch}");
    });
    model.Fit(x, y, batchSize: 32, epochs: 4, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir), crash]);
    Say("epochs", string.Join(",", epochs));
    Say("weights", Hash(model));
}

// Each bad request as "rank R: error_NAME ExceptionType: message" (no exception: "none"); the
// strategy must stay usable afterwards (a bad argument is not a lost rank).
void Errors()
{
    void Try(string name, Action action)
    {
        try { action(); Say("error_" + name, "none"); }
        catch (Exception e) { Say("error_" + name, $"{e.GetType().Name}: {e.Message}"); }
    }
    Try("second_strategy", () => new DataParallel());
    Try("int_gradient", () => strategy.AllReduceGradients([NF.Constant([1f, 2f]), NF.Constant([1, 2])]));
    Try("root", () => strategy.Broadcast(new Span<byte>(new byte[4]), root: strategy.WorldSize));
    Try("bucket_size", () => new DataParallel(bucketSizeMb: 0));
    unsafe
    {
        Try("native_dtype", () => NativeDistMethods.ThrowIfFailed(NativeDistMethods.nf_dist_allreduce(null, 0, 2, 0, 1)));
        Try("native_handle", () => NativeDistMethods.ThrowIfFailed(NativeDistMethods.nf_dist_wait(12345, 1)));
        Try("native_count", () => NativeDistMethods.ThrowIfFailed(NativeDistMethods.nf_dist_allreduce(null, -1, 0, 0, 1)));
    }
    var sum = new[] { rank + 1.0 };
    strategy.AllReduce(sum);
    Say("sum_after_errors", sum[0]);
}

void DatasetScenario()
{
    var (x, y) = Blobs(800, 11);
    NF.Random.SetSeed(100 + rank);
    var model = Mlp();
    model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
    // 25 batches of 32, global batches: each rank takes 16 examples of every one, 25 steps per epoch.
    var data = NeuralFlow.Data.Dataset.FromTensorSlices(x, y).Shuffle(800, seed: 1).Batch(32);
    int steps = 0;
    var history = model.Fit(data, epochs: 2, verbose: 0, callbacks: [new Callbacks.LambdaCallback(onBatchEnd: (_, _) => steps++)]);
    Say("steps", steps);
    Say("epochs", history.Epochs);
    Say("weights", Hash(model));
}

void OptimizerScenario()
{
    var (x, y) = Blobs(256, 11);
    NF.Random.SetSeed(100 + rank);
    var model = Mlp();
    model.Call(x[..1], training: false);  // builds the weights
    var optimizer = new Optimizers.Adam(learningRate: 0.01f, useEma: true);
    var loss = Losses.Get("sparse_categorical_crossentropy");
    IReadOnlyList<Tensor?> Gradients(Tensor xs, Tensor ys)
    {
        using var tape = new GradientTape();
        return tape.Gradient(loss.Call(ys, model.Call(xs, training: true)), model.Variables);
    }
    // As if rank 0 alone had restored a checkpoint: its weights, moments, step count and averages differ.
    if (rank == 0)
        for (int i = 0; i < 3; i++) optimizer.ApplyGradients(Gradients(x[..64], y[..64]), model.Variables);
    strategy.Broadcast(model.Variables);
    strategy.Broadcast(optimizer, model.Variables);
    int from = 256 * rank / strategy.WorldSize, to = 256 * (rank + 1) / strategy.WorldSize;
    for (int i = 0; i < 5; i++) optimizer.ApplyGradients(strategy.AllReduceGradients(Gradients(x[from..to], y[from..to])), model.Variables);
    Say("iterations", optimizer.Iterations);
    Say("weights", Hash(model));
    Say("averages", string.Join(",", model.Variables.Select(v => optimizer.AverageOf(v) is { } a ? Convert.ToHexString(SHA256.HashData(a.ToArray<float>().SelectMany(BitConverter.GetBytes).ToArray()))[..16] : "-")));
}
