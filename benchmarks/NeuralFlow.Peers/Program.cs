// NeuralFlow counterparts of the PyTorch peer scripts in ../shared/peers, printing the same
// lines so that one command can run both and compare (see benchmarks/peers.sh):
//   dotnet run -c Release --project benchmarks/NeuralFlow.Peers -- custom_loop [steps]
//   ... -- cnn_fit [epochs] [seed]   (peer: benchmarks/cnn_fit_torch.py; Cnn.cs)
//   ... -- conv_kernels              (conv forward/backward GFLOP/s against the GEMM's)
//   ... -- cnn_parts [reps]          (cnn_fit's step op by op, mean ms; Cnn.cs)
//   ... -- op_overhead [rounds]      (one add of 1-element tensors: min and median of the rounds' means)
//   ... -- pipeline_fit [epochs]     (Fit fed by the section-6 pipeline against Fit fed from tensors)
//   ... -- logreg [steps]            (peer: benchmarks/bars_torch.py logreg; Bars.cs)
//   ... -- fusion_ab [rounds] [steps] [mlp_sigmoid|mlp_relu|workshop]  (fusion on/off, one process; FusionAb.cs)
//   ... -- fit_profile [rounds] [parts]  (a warm Fit epoch part by part: FitProfile.cs)
//   ... -- mlp [steps] [sgd|adam] [activation]  (peer: benchmarks/bars_torch.py mlp, relu; Bars.cs;
//                                    e.g. sigmoid with and without NEURALFLOW_FUSION=0)
using System.Diagnostics;
using NeuralFlow;
using NeuralFlow.Data;
using NeuralFlow.Keras;

var mode = args.Length > 0 ? args[0] : "custom_loop";
switch (mode)
{
    case "ops":
        OpTimes();
        break;
    case "custom_loop":
        CustomLoop(args.Length > 1 ? int.Parse(args[1]) : 2000, useScope: true);
        break;
    case "custom_loop_plain":
        CustomLoop(args.Length > 1 ? int.Parse(args[1]) : 2000, useScope: false);
        break;
    case "custom_loop_function":
        CustomLoopFunction(args.Length > 1 ? int.Parse(args[1]) : 2000);
        break;
    case "cnn_fit":
        Cnn.Fit(args.Length > 1 ? int.Parse(args[1]) : 2, args.Length > 2 ? int.Parse(args[2]) : 0);
        break;
    case "conv_kernels":
        Cnn.ConvKernels();
        break;
    case "cnn_parts":
        Cnn.Parts(args.Length > 1 ? int.Parse(args[1]) : 100);
        break;
    case "logreg":
        Bars.LogReg(args.Length > 1 ? int.Parse(args[1]) : 30);
        break;
    case "mlp":
        Bars.Mlp(args.Length > 1 ? int.Parse(args[1]) : 1000, args.Length > 2 ? args[2] : "sgd", args.Length > 3 ? args[3] : "relu");
        break;
    case "fit_parts":
        FitParts();
        break;
    case "op_overhead":
        OpOverhead(args.Length > 1 ? int.Parse(args[1]) : 15);
        break;
    case "pipeline_fit":
        PipelineFit(args.Length > 1 ? int.Parse(args[1]) : 3);
        break;
    case "fit_profile":
        FitProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 8, args.Length > 2 ? args[2] : null);
        break;
    case "fit_steps":
        FitSteps();
        break;
    case "fit_warmup":
        FitWarmup(args.Length > 1 ? args[1] : null);
        break;
    case "fusion_ab":
        FusionAb.Run(args.Length > 1 ? int.Parse(args[1]) : 6, args.Length > 2 ? int.Parse(args[2]) : 200, args.Length > 3 ? args[3] : "mlp_sigmoid");
        break;
    case "fashion_fit":
        FashionFit(args.Length > 1 ? int.Parse(args[1]) : 5, args.Length > 2 ? int.Parse(args[2]) : 0);
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}; use custom_loop, custom_loop_plain, custom_loop_function, fashion_fit, fusion_ab, pipeline_fit, cnn_fit, conv_kernels, cnn_parts, fit_parts, fit_profile, fit_steps, fit_warmup, logreg, mlp, op_overhead or ops");
        return 2;
}
return 0;

// The workshop's custom loop: 784-50-10 with softmax, SGD lr 0.05, batch 256, batches sliced
// from 60000 random MNIST-shaped rows. useScope: each step in a TensorScope (the recommended
// idiom); without it, exactly as the workshop writes it, nothing disposed (the GC frees it).
static void CustomLoop(int steps, bool useScope)
{
    var (x, y, model, optimizer, lossFn) = LoopSetup();
    var clock = new Stopwatch();
    bool jitProgress = Environment.GetEnvironmentVariable("NEURALFLOW_JIT_PROGRESS") == "1";
    for (int step = 0; step < steps; step++)
    {
        if (step == 20) clock.Start();
        // NEURALFLOW_JIT_PROGRESS=1: the JIT's running totals every 250 steps. On the managed engine
        // the runtime is still promoting methods to tier 1 (TensorPrimitives' loops run tier-0 code
        // meanwhile) well past step 2000, so this loop's samples/s there include warm-up (issue 17).
        if (step % 250 == 0 && jitProgress)
            Console.Error.WriteLine($"step {step} t {clock.Elapsed.TotalMilliseconds:0} ms jitted {System.Runtime.JitInfo.GetCompiledMethodCount()} jit_ms {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0}");
        int i = step * 256 % (60000 - 256);
        using var scope = useScope ? TensorScope.Begin() : null;
        var xb = x[i..(i + 256)];
        var yb = y[i..(i + 256)];
        using var tape = new GradientTape();
        var loss = lossFn.Call(yb, model.Call(xb));
        optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
    }
    double secs = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"custom_loop{(useScope ? "" : "_plain")} samples_per_s {(steps - 20) * 256 / secs:0} backend=neuralflow-{NF.Backend.Name}");
}

// The workshop's Keras model (Glorot-uniform kernels, zero biases), SGD lr 0.01, batch 256,
// shuffled, full Fashion-MNIST, validation on its test set each epoch.
// The workshop loop's data (random, the shape of MNIST), model, optimizer and loss.
static (Tensor X, Tensor Y, Model Model, Optimizers.Optimizer Optimizer, Losses.Loss Loss) LoopSetup()
{
    NF.Random.SetSeed(3);
    var x = NF.Random.Uniform([60000, 784]);
    var y = NF.Random.Uniform([60000], 0, 10, DType.Int32);
    var model = new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
    var optimizer = new Optimizers.SGD(learningRate: 0.05f);
    var lossFn = new Losses.SparseCategoricalCrossentropy();
    return (x, y, model, optimizer, lossFn);
}

// The same loop with its step compiled by NF.Function (tf.function): traced once, then replayed.
static void CustomLoopFunction(int steps)
{
    var (x, y, model, optimizer, lossFn) = LoopSetup();
    var trainStep = NF.Function((Tensor xb, Tensor yb) =>
    {
        using var tape = new GradientTape();
        var loss = lossFn.Call(yb, model.Call(xb));
        optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
        return loss;
    });
    var clock = new Stopwatch();
    for (int step = 0; step < steps; step++)
    {
        if (step == 20) clock.Start();
        int i = step * 256 % (60000 - 256);
        trainStep(x[i..(i + 256)], y[i..(i + 256)]);
    }
    double secs = clock.Elapsed.TotalSeconds;
    var info = TracedFunction.Of(trainStep);
    if (Environment.GetEnvironmentVariable("NEURALFLOW_TRACE_DEBUG") == "1")
    {
        // The replayed calls, one per line (ReplayPlan.Describe is internal): what fusion left.
        var plan = typeof(TracedFunction).GetProperty("LatestPlan", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(info);
        Console.Error.WriteLine(plan?.GetType().GetMethod("Describe")!.Invoke(plan, null));
    }
    Console.WriteLine($"custom_loop_function samples_per_s {(steps - 20) * 256 / secs:0} backend=neuralflow-{NF.Backend.Name} replays {info.ReplayCount} ops {info.OpCount} arena_kb {info.ArenaBytes / 1024}{(info.EagerReason is { } r ? " eager: " + r : "")}");
}

static void FashionFit(int epochs, int seed)
{
    var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
    NF.Random.SetSeed(seed);
    var model = new Sequential(
        new Layers.Flatten(),
        new Layers.Dense(50),
        new Layers.ReLU(),
        new Layers.Dense(10, activation: "softmax"));
    model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
    var x = xTrain / 255f;
    var xVal = xTest / 255f;
    float acc = 0;
    // The console is set up before the clock, as Python's is at interpreter start: the per-epoch line below is in
    // both peers' timed loops, and .NET's first use of Console.Out (~4 ms) would otherwise land in epoch 1.
    Console.Out.Flush();
    var clock = Stopwatch.StartNew();
    var history = model.Fit(x, yTrain, batchSize: 256, epochs: epochs, verbose: 0, validationData: (xVal, yTest),
        callbacks: [new Callbacks.LambdaCallback(onEpochEnd: (e, logs) =>
        {
            acc = logs["val_accuracy"];
            Console.WriteLine($"epoch {e + 1} val_accuracy {acc:0.0000} at_s {clock.Elapsed.TotalSeconds:0.000}");
        })]);
    double total = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"fit seconds_per_epoch {total / epochs:0.000} final_val_accuracy {acc:0.0000} backend=neuralflow-{NF.Backend.Name}");
}

// Issue 17's eager bar: one op on 1-element tensors under 0.3 us. The mean of 200,000 adds per
// round; the minimum over rounds is the cost with the least interference from other processes.
static void OpOverhead(int rounds)
{
    var a = NF.Constant(new[] { 1f });
    var b = NF.Constant(new[] { 2f });
    for (int i = 0; i < 200_000; i++) NF.Add(a, b).Dispose();
    var means = new List<double>();
    for (int r = 0; r < rounds; r++)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 200_000; i++) NF.Add(a, b).Dispose();
        means.Add(clock.Elapsed.TotalMicroseconds * 1000 / 200_000);
    }
    means.Sort();
    Console.WriteLine($"op_overhead add_1_element_ns min {means[0]:0} median {means[means.Count / 2]:0} backend=neuralflow-{NF.Backend.Name}");
}

// Issue 17's input-pipeline bar: Fit of the workshop's 784-50-10 model on Fashion-MNIST fed by the
// workshop's section-6 pipeline (Map to float32 / 255, Shuffle 5000, Batch 256, Prefetch) within
// 1.2x of Fit fed from tensors. Seconds per epoch of the pipeline alone and of each Fit, with the
// map-and-batch fusion and without it (Batch(..., fuseMap: false)); the order of the Fits alternates.
static void PipelineFit(int epochs)
{
    var ((xTrain, yTrain), _) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
    var xScaled = NF.Reshape(xTrain / 255f, [-1, 28 * 28]);
    Dataset<(Tensor, Tensor)> Unprefetched(bool fuse) => Dataset.FromTensorSlices(xTrain, yTrain)
        .Map((img, label) => (NF.Cast(NF.Reshape(img, [28 * 28]), DType.Float32) / 255f, label))
        .Shuffle(bufferSize: 5000)
        .Batch(256, fuseMap: fuse);
    Dataset<(Tensor, Tensor)> Pipeline(bool fuse) => Unprefetched(fuse).Prefetch(Dataset.Autotune);
    Sequential NewModel()
    {
        var m = new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        m.Compile(new Optimizers.SGD(0.01f), "sparse_categorical_crossentropy", ["accuracy"]);
        return m;
    }
    double Seconds(Action epoch)
    {
        epoch(); // warm-up: builds the model, traces the step, decides the fusion
        var clock = Stopwatch.StartNew();
        for (int e = 0; e < epochs; e++) epoch();
        return clock.Elapsed.TotalSeconds / epochs;
    }
    double Drain(bool fuse)
    {
        var ds = Pipeline(fuse);
        return Seconds(() => { foreach (var (xb, yb) in ds) { xb.Dispose(); yb.Dispose(); } });
    }
    var (tensorModel, fusedModel, unfusedModel, inlineModel) = (NewModel(), NewModel(), NewModel(), NewModel());
    var (fused, unfused, inline) = (Pipeline(true), Pipeline(false), Unprefetched(true));
    double tensors = 0, fedFused = 0, fedUnfused = 0, fedInline = 0;
    for (int round = 0; round < 2; round++)
    {
        // Alternate the order, so that neither side always runs first.
        var runs = new (Action Run, Action<double> Add)[]
        {
            (() => tensorModel.Fit(xScaled, yTrain, batchSize: 256, epochs: 1, verbose: 0), s => tensors += s / 2),
            (() => fusedModel.Fit(fused, epochs: 1, verbose: 0), s => fedFused += s / 2),
            (() => unfusedModel.Fit(unfused, epochs: 1, verbose: 0), s => fedUnfused += s / 2),
            (() => inlineModel.Fit(inline, epochs: 1, verbose: 0), s => fedInline += s / 2),
        };
        foreach (var (run, add) in round == 0 ? runs : runs.Reverse()) add(Seconds(run));
    }
    double aloneFused = Drain(true), aloneUnfused = Drain(false);
    if (Environment.GetEnvironmentVariable("PIPELINE_PARTS") == "1")
    {
        var rows = Dataset.FromTensorSlices(xTrain, yTrain).Shuffle(bufferSize: 5000).Batch(256);
        Console.WriteLine($"parts: shuffle+batch of raw rows {Seconds(() => { foreach (var (xb, yb) in rows) { xb.Dispose(); yb.Dispose(); } }):0.000} s/epoch");
        var sorted = Dataset.FromTensorSlices(xTrain, yTrain).Batch(256);
        Console.WriteLine($"parts: batch of raw rows {Seconds(() => { foreach (var (xb, yb) in sorted) { xb.Dispose(); yb.Dispose(); } }):0.000} s/epoch");
        var idx = NF.Constant(Enumerable.Range(0, 256).Select(i => i * 211 % 60000).ToArray());
        Console.WriteLine($"parts: gather u8 rows x235 {Seconds(() => { for (int i = 0; i < 235; i++) NF.Gather(xTrain, idx).Dispose(); }):0.000} s/epoch");
        Console.WriteLine($"parts: gather f32 rows x235 {Seconds(() => { for (int i = 0; i < 235; i++) NF.Gather(xScaled, idx).Dispose(); }):0.000} s/epoch");
        var elems = Dataset.FromTensorSlices(xTrain, yTrain).Shuffle(bufferSize: 5000);
        Console.WriteLine($"parts: shuffle elements only {Seconds(() => { foreach (var (a, b) in elems) { a.Dispose(); b.Dispose(); } }):0.000} s/epoch");
        var ready = Dataset.FromTensorSlices(xScaled, yTrain).Batch(256);
        var readyModel = NewModel();
        Console.WriteLine($"parts: fit from views of ready batches {Seconds(() => readyModel.Fit(ready, epochs: 1, verbose: 0)):0.000} s/epoch, from tensors {Seconds(() => tensorModel.Fit(xScaled, yTrain, batchSize: 256, epochs: 1, verbose: 0)):0.000}");
        var one = xTrain[..256];
        Console.WriteLine($"parts: cast+div x235 {Seconds(() => { for (int i = 0; i < 235; i++) { using var c = NF.Cast(NF.Reshape(one, [256, 784]), DType.Float32); (c / 255f).Dispose(); } }):0.000} s/epoch");
        Console.WriteLine($"parts: fused drain no prefetch {Seconds(() => { foreach (var (xb, yb) in Dataset.FromTensorSlices(xTrain, yTrain).Map((img, label) => (NF.Cast(NF.Reshape(img, [28 * 28]), DType.Float32) / 255f, label)).Shuffle(bufferSize: 5000).Batch(256)) { xb.Dispose(); yb.Dispose(); } }):0.000} s/epoch");
    }
    Console.WriteLine($"pipeline_fit seconds_per_epoch: pipeline_alone fused {aloneFused:0.000} unfused {aloneUnfused:0.000}; " +
                      $"fit_from_tensors {tensors:0.000} fit_from_pipeline fused {fedFused:0.000} unfused {fedUnfused:0.000} fused_without_prefetch {fedInline:0.000}; " +
                      $"ratio_fused {fedFused / tensors:0.00} ratio_unfused {fedUnfused / tensors:0.00} ratio_fused_without_prefetch {fedInline / tensors:0.00} backend=neuralflow-{NF.Backend.Name} ({fused.MapBatchFusion})");
}

// Where a Fit epoch goes: the same training with and without validation and metrics.
static void FitParts()
{
    var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
    var x = xTrain / 255f;
    var xVal = xTest / 255f;
    foreach (var (name, metrics, validate) in new[] { ("full", true, true), ("no validation", true, false), ("no metrics", false, true), ("bare", false, false) })
    {
        NF.Random.SetSeed(0);
        var model = new Sequential(new Layers.Flatten(), new Layers.Dense(50), new Layers.ReLU(), new Layers.Dense(10, activation: "softmax"));
        model.Compile(new Optimizers.SGD(learningRate: 0.01f), "sparse_categorical_crossentropy", metrics ? ["accuracy"] : null);
        model.Fit(x, yTrain, batchSize: 256, epochs: 1, verbose: 0); // warm-up
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        model.Fit(x, yTrain, batchSize: 256, epochs: 4, verbose: 0, validationData: validate ? (xVal, yTest) : null);
        Console.WriteLine($"{name,-14} {clock.Elapsed.TotalSeconds / 4:0.000} s/epoch, GCs per epoch: gen0 {(GC.CollectionCount(0) - gen0) / 4.0}, gen2 {(GC.CollectionCount(2) - gen2) / 4.0}");
    }
}

// What the first epoch of a run costs beyond the others: one epoch (with validation) of a fresh
// model in a fresh process (JIT compilation, traces, first touch of memory), of a second fresh
// model (traces only), and of that model again (replays only). PERF_CTL (a perf --control fifo)
// records the cold epoch, or the one PERF_CTL_PHASE names ("new model"), to diff the two.
static void FitWarmup(string? prewarm)
{
    var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
    var x = xTrain / 255f;
    var xVal = xTest / 255f;
    if (prewarm == "small")
    {
        // The same code paths on 1024 examples first: what stays of the cold cost is size-bound.
        var clock0 = Stopwatch.StartNew();
        var m = new Sequential(new Layers.Flatten(), new Layers.Dense(50), new Layers.ReLU(), new Layers.Dense(10, activation: "softmax"));
        m.Compile(new Optimizers.SGD(learningRate: 0.01f), "sparse_categorical_crossentropy", ["accuracy"]);
        m.Fit(x[..1024], yTrain[..1024], batchSize: 256, epochs: 1, verbose: 0, validationData: (xVal[..512], yTest[..512]));
        Console.WriteLine($"prewarm (1024 examples) {clock0.Elapsed.TotalSeconds:0.000} s");
    }
    Model Make()
    {
        var model = new Sequential(new Layers.Flatten(), new Layers.Dense(50), new Layers.ReLU(), new Layers.Dense(10, activation: "softmax"));
        model.Compile(new Optimizers.SGD(learningRate: 0.01f), "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }
    NF.Random.SetSeed(0);
    var first = Make();
    var second = Make();
    foreach (var (name, model) in new[] { ("cold process", first), ("new model", second), ("same model", second) })
    {
        // What the runtime did meanwhile: methods JIT-compiled (and the JIT's time, on every
        // thread), bytes allocated, collections.
        long methods = System.Runtime.JitInfo.GetCompiledMethodCount(), bytes = GC.GetTotalAllocatedBytes();
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        var ctl = name == (Environment.GetEnvironmentVariable("PERF_CTL_PHASE") ?? "cold process") ? Environment.GetEnvironmentVariable("PERF_CTL") : null;
        if (ctl is not null) File.AppendAllText(ctl, "enable\n");
        var clock = Stopwatch.StartNew();
        model.Fit(x, yTrain, batchSize: 256, epochs: 1, verbose: 0, validationData: (xVal, yTest));
        if (ctl is not null) File.AppendAllText(ctl, "disable\n");
        Console.WriteLine($"{name,-14} first epoch {clock.Elapsed.TotalSeconds:0.000} s; jit {System.Runtime.JitInfo.GetCompiledMethodCount() - methods} methods " +
                          $"{(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalSeconds:0.000} s, allocated {(GC.GetTotalAllocatedBytes() - bytes) / 1e6:0.0} MB, " +
                          $"GCs gen0 {GC.CollectionCount(0) - gen0} gen2 {GC.CollectionCount(2) - gen2}");
    }
}

// Where a cold process's first Fit epoch goes, against two later models in the same process:
// milliseconds from Fit's call to train begin, to the first batches, to validation and the end
// (hooks that read nothing from the device, so they add no host syncs).
static void FitSteps()
{
    var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
    var x = xTrain / 255f;
    var xVal = xTest / 255f;
    foreach (var name in new[] { "cold", "new", "new2" })
    {
        var model = new Sequential(new Layers.Flatten(), new Layers.Dense(50), new Layers.ReLU(), new Layers.Dense(10, activation: "softmax"));
        model.Compile(new Optimizers.SGD(learningRate: 0.01f), "sparse_categorical_crossentropy", ["accuracy"]);
        var marks = new List<(string, double)>();
        var clock = Stopwatch.StartNew();
        void Mark(string m) => marks.Add((m, clock.Elapsed.TotalMilliseconds));
        model.Fit(x, yTrain, batchSize: 256, epochs: 1, verbose: 0, validationData: (xVal, yTest), callbacks: [new Callbacks.LambdaCallback(
            onTrainBegin: () => Mark("trainBegin"), onBatchBegin: b => { if (b < 4 || b == 100 || b == 234) Mark("b" + b); },
            onTestBegin: () => Mark("testBegin"), onTestEnd: _ => Mark("testEnd"), onTrainEnd: () => Mark("trainEnd"))]);
        Mark("end");
        Console.WriteLine(name + ": " + string.Join(" ", marks.Select(m => $"{m.Item1}={m.Item2:0.0}")));
    }
}

// Average time of each op of the custom loop's step, to see where a step goes.
static void OpTimes()
{
    NF.Random.SetSeed(3);
    var x = NF.Random.Uniform([256, 784]);
    var w = NF.Random.Normal([784, 50]);
    var g = NF.Random.Normal([256, 50]);
    var b = NF.Random.Normal([50]);
    void Time(string name, Func<Tensor> op)
    {
        for (int i = 0; i < 20; i++) op().Dispose();
        var sw = Stopwatch.StartNew();
        int n = 500;
        for (int i = 0; i < n; i++) op().Dispose();
        Console.WriteLine($"{name,-28} {sw.Elapsed.TotalMicroseconds / n,8:0.0} us");
    }
    Time("matmul 256x784 @ 784x50", () => NF.MatMul(x, w));
    Time("matmul x^T @ g (784x50)", () => NF.MatMul(x, g, transposeA: true));
    Time("matmul g @ w^T (256x784)", () => NF.MatMul(g, w, transposeB: true));
    Time("add bias [256,50]+[50]", () => g + b);
    Time("relu [256,50]", () => NF.Relu(g));
    Time("softmax [256,50]", () => NF.Softmax(g));
    Time("reduce_sum axis0 [256,50]", () => NF.ReduceSum(g, 0));
    Time("add 1 element", () => b[0] + b[1]);
    var rows = NF.Random.Uniform([60000, 784]);
    var order = Enumerable.Range(0, 60000).ToArray();
    new Random(1).Shuffle(order);
    int at = 0;
    Time("gather 256 shuffled rows", () => NF.Gather(rows, NF.Constant(order.AsSpan((at = (at + 256) % 59000), 256).ToArray())));
    var big = NF.Random.Uniform([60000, 784]);
    var w10 = NF.Random.Normal([784, 10]);
    var g10 = NF.Random.Normal([60000, 10]);
    Time("matmul 60000x784 @ 784x10", () => NF.MatMul(big, w10));
    Time("matmul x^T @ g (784x10)", () => NF.MatMul(big, g10, transposeA: true));
    Time("softmax [60000,10]", () => NF.Softmax(g10));
    var probs = NF.Softmax(NF.Random.Normal([256, 10]));
    var labels = NF.Cast(NF.Random.Uniform([256], 0, 10, DType.Int32), DType.UInt8);
    var acc = new Metrics.SparseCategoricalAccuracy();
    Time("accuracy UpdateState", () => { acc.UpdateState(labels, probs); return NF.Zeros([1]); });
    Time("argmax [256,10]", () => NF.ArgMax(probs, -1));
    Time("cast u8->i64 [256]", () => NF.Cast(labels, DType.Int64));
    Time("reduce_sum bool [256]", () => NF.ReduceSum(NF.Greater(probs, 0.5f)));
    var lossMean = new Metrics.Mean();
    var lossValue = NF.ReduceMean(probs);
    Time("mean UpdateState scalar", () => { lossMean.UpdateState(lossValue); return NF.Zeros([1]); });
    foreach (int n in new[] { 512, 1024, 2048 })
    {
        var a = NF.Random.Normal([n, n]);
        var c = NF.Random.Normal([n, n]);
        for (int i = 0; i < 3; i++) NF.MatMul(a, c).Dispose();
        double best = double.MaxValue;
        for (int r = 0; r < 20; r++)
        {
            var sw = Stopwatch.StartNew();
            NF.MatMul(a, c).Dispose();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"sgemm n={n,-5} {2.0 * n * n * n / best / 1e9,8:0.0} GFLOP/s");
    }
}
