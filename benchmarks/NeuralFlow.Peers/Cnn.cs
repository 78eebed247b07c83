using System.Diagnostics;
using NeuralFlow;
using NeuralFlow.Keras;

/// <summary>
/// The CNN of issue 15 (samples/ConvNet) as a peer benchmark of benchmarks/cnn_fit_torch.py, and
/// the throughput of its convolutions against the GEMM they run on.
/// </summary>
static class Cnn
{
    /// <summary>
    /// Conv2D(32, 3, relu) - MaxPool - Conv2D(64, 3, relu) - MaxPool - Flatten - Dense(128, relu) -
    /// Dense(10) logits, Keras' initialisation, Adam lr 1e-3, batch 64, shuffled, full Fashion-MNIST,
    /// test accuracy after each epoch: what the PyTorch script does, printing the same lines.
    /// </summary>
    public static void Fit(int epochs, int seed)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = NeuralFlow.Data.Datasets.FashionMnist.LoadData();
        var x = NF.Reshape(NF.Cast(xTrain, DType.Float32) / 255f, [-1, 28, 28, 1]);
        var xVal = NF.Reshape(NF.Cast(xTest, DType.Float32) / 255f, [-1, 28, 28, 1]);
        NF.Random.SetSeed(seed);
        var model = new Sequential(
            new Layers.Conv2D(32, 3, activation: "relu"), new Layers.MaxPooling2D(),
            new Layers.Conv2D(64, 3, activation: "relu"), new Layers.MaxPooling2D(),
            new Layers.Flatten(), new Layers.Dense(128, activation: "relu"), new Layers.Dense(10));
        model.Compile(new Optimizers.Adam(0.001f), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        float acc = 0;
        var clock = Stopwatch.StartNew();
        model.Fit(x, yTrain, batchSize: 64, epochs: epochs, verbose: 0, validationData: (xVal, yTest),
            callbacks: [new Callbacks.LambdaCallback(onEpochEnd: (e, logs) =>
            {
                acc = logs["val_accuracy"];
                Console.WriteLine($"epoch {e + 1} val_accuracy {acc:0.0000}");
            })]);
        double total = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"cnn_fit seconds_per_epoch {total / epochs:0.000} final_val_accuracy {acc:0.0000} backend=neuralflow-{NF.Backend.Name}");
    }

    /// <summary>
    /// GFLOP/s of the CNN's two convolutions (batch 64) forward and backward (input and kernel
    /// gradients, twice the forward's work), beside the GEMM of the same [N*OH*OW, KH*KW*C] @
    /// [KH*KW*C, O] product alone: the gap is what im2col, col2im and the tape cost.
    /// </summary>
    public static void ConvKernels()
    {
        NF.Random.SetSeed(1);
        foreach (var (h, c, o) in new[] { (28, 1, 32), (13, 32, 64) })
        {
            int n = 64, k = 3, oh = h - k + 1;
            var x = NF.Random.Normal([n, h, h, c]);
            var kernel = NF.Random.Normal([k, k, c, o]);
            var g = NF.Random.Normal([n, oh, oh, o]);
            double flops = 2.0 * n * oh * oh * k * k * c * o;
            double forward = Best(() => NF.Conv2D(x, kernel));
            double both = Best(() =>
            {
                using var tape = new GradientTape();
                tape.Watch(x);
                tape.Watch(kernel);
                var y = NF.Conv2D(x, kernel);
                var grads = tape.Gradient(NF.ReduceSum(y * g), [x, kernel]);
                grads[0].Dispose();
                return grads[1];
            });
            var cols = NF.Random.Normal([n * oh * oh, k * k * c]);
            var w = NF.Random.Normal([k * k * c, o]);
            double gemm = Best(() => NF.MatMul(cols, w));
            string shape = $"conv {n}x{h}x{h}x{c} * {k}x{k}x{c}x{o}";
            Console.WriteLine($"{shape,-30} forward {flops / forward / 1e9,6:0.0} GFLOP/s  backward {2 * flops / (both - forward) / 1e9,6:0.0} GFLOP/s  " +
                              $"gemm [{n * oh * oh}x{k * k * c}]@[{k * k * c}x{o}] {flops / gemm / 1e9,6:0.0} GFLOP/s");
        }
    }

    /// <summary>
    /// Where one training step of <see cref="Fit"/>'s CNN spends its time, op by op at the step's
    /// shapes (batch 64): the mean over many calls, not the best, so that stalls on a
    /// descheduled thread show (run it under benchmarks/peers.sh's loads through
    /// ../shared/peers/busy_core.sh). The products are the forward GEMMs and both gradients'.
    /// </summary>
    public static void Parts(int reps)
    {
        NF.Random.SetSeed(1);
        var x1 = NF.Random.Normal([64, 28, 28, 1]);
        var k1 = NF.Random.Normal([3, 3, 1, 32]);
        var x2 = NF.Random.Normal([64, 13, 13, 32]);
        var k2 = NF.Random.Normal([3, 3, 32, 64]);
        var y1 = NF.Random.Normal([64, 26, 26, 32]);
        var y2 = NF.Random.Normal([64, 11, 11, 64]);
        var b2 = NF.Random.Normal([64]);
        var cols1 = NF.Random.Normal([64 * 26 * 26, 9]);
        var cols2 = NF.Random.Normal([64 * 11 * 11, 288]);
        var dy1 = NF.Random.Normal([64 * 26 * 26, 32]);
        var dy2 = NF.Random.Normal([64 * 11 * 11, 64]);
        var w2 = NF.Random.Normal([288, 64]);
        var h = NF.Random.Normal([64, 1600]);
        var wd = NF.Random.Normal([1600, 128]);
        var dh = NF.Random.Normal([64, 128]);
        var gp1 = NF.Random.Normal([64, 13, 13, 32]);
        var parts = new (string Name, Func<Tensor> Op)[]
        {
            ("conv1 forward (im2col + gemm)", () => NF.Conv2D(x1, k1)),
            ("conv2 forward (im2col + gemm)", () => NF.Conv2D(x2, k2)),
            ("gemm conv1 [43264x9]@[9x32]", () => NF.MatMul(cols1, NF.Reshape(k1, [9, 32]))),
            ("gemm conv1 dW cols^T@dy", () => NF.MatMul(cols1, dy1, transposeA: true)),
            ("gemm conv2 [7744x288]@[288x64]", () => NF.MatMul(cols2, w2)),
            ("gemm conv2 dW cols^T@dy", () => NF.MatMul(cols2, dy2, transposeA: true)),
            ("gemm conv2 dcols dy@W^T", () => NF.MatMul(dy2, w2, transposeB: true)),
            ("gemm dense1 [64x1600]@[1600x128]", () => NF.MatMul(h, wd)),
            ("gemm dense1 dW h^T@dh", () => NF.MatMul(h, dh, transposeA: true)),
            ("relu [64,26,26,32]", () => NF.Relu(y1)),
            ("bias add [64,11,11,64]", () => y2 + b2),
            ("bias grad sum [7744x64] axis 0", () => NF.ReduceSum(dy2, 0)),
            ("maxpool [64,26,26,32]", () => NF.MaxPool2D(y1, [2, 2])),
            ("maxpool fwd + bwd [64,26,26,32]", () =>
            {
                using var tape = new GradientTape();
                tape.Watch(y1);
                var p = NF.MaxPool2D(y1, [2, 2]);
                // A contiguous upstream gradient, as in training (the implicit seed of ones is a
                // broadcast view, which takes the pooling gradient's slow any-strides path).
                return tape.Gradient(NF.ReduceSum(p * gp1), [y1])[0];
            }),
            ("conv2 fwd + bwd both (tape)", () =>
            {
                using var tape = new GradientTape();
                tape.Watch(x2);
                tape.Watch(k2);
                var y = NF.Conv2D(x2, k2);
                var g = tape.Gradient(NF.ReduceSum(y * y2), [x2, k2]);
                g[0].Dispose();
                return g[1];
            }),
        };
        foreach (var (name, op) in parts)
        {
            for (int i = 0; i < 5; i++) op().Dispose();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) op().Dispose();
            double ms = sw.Elapsed.TotalMilliseconds / reps;
            Console.WriteLine($"{name,-36} {ms,8:0.000} ms");
        }
    }

    // The best of 15 timed runs after 3 warm-ups (the result disposed each time).
    private static double Best(Func<Tensor> op)
    {
        for (int i = 0; i < 3; i++) op().Dispose();
        double best = double.MaxValue;
        for (int r = 0; r < 15; r++)
        {
            var sw = Stopwatch.StartNew();
            op().Dispose();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
