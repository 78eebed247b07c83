// NeuralFlow counterparts of the PyTorch peer scripts in ../shared/peers, printing the same
// lines so that one command can run both and compare (see benchmarks/peers.sh):
//   dotnet run -c Release --project benchmarks/NeuralFlow.Peers -- custom_loop [steps]
//   ... -- cnn_fit [epochs] [seed]   (peer: benchmarks/cnn_fit_torch.py; Cnn.cs)
//   ... -- conv_kernels              (conv forward/backward GFLOP/s against the GEMM's)
//   ... -- cnn_parts [reps]          (cnn_fit's step op by op, mean ms; Cnn.cs)
using System.Diagnostics;
using NeuralFlow;
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
    case "fit_parts":
        FitParts();
        break;
    case "fashion_fit":
        FashionFit(args.Length > 1 ? int.Parse(args[1]) : 5, args.Length > 2 ? int.Parse(args[2]) : 0);
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}; use custom_loop, custom_loop_plain, custom_loop_function, fashion_fit, cnn_fit, conv_kernels, cnn_parts, fit_parts or ops");
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
    for (int step = 0; step < steps; step++)
    {
        if (step == 20) clock.Start();
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
    var clock = Stopwatch.StartNew();
    var history = model.Fit(x, yTrain, batchSize: 256, epochs: epochs, verbose: 0, validationData: (xVal, yTest),
        callbacks: [new Callbacks.LambdaCallback(onEpochEnd: (e, logs) =>
        {
            acc = logs["val_accuracy"];
            Console.WriteLine($"epoch {e + 1} val_accuracy {acc:0.0000}");
        })]);
    double total = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"fit seconds_per_epoch {total / epochs:0.000} final_val_accuracy {acc:0.0000} backend=neuralflow-{NF.Backend.Name}");
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
