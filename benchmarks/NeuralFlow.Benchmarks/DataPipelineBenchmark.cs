using BenchmarkDotNet.Attributes;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Benchmarks;

/// <summary>
/// One epoch of the workshop's section-6 input pipeline (map to float32 / 255, shuffle 5000,
/// batch 256) on Fashion-MNIST (Debian's files; the embedded MNIST sample where absent), with
/// and without Prefetch, next to a training epoch of the workshop's 784-50-10 model fed from
/// tensors and fed from the prefetched pipeline. Batches per second = Batches / epoch time; the
/// pipeline's cost in a training epoch = (pipeline-fed epoch - tensor-fed epoch) / pipeline-fed epoch.
/// </summary>
[MemoryDiagnoser]
public class DataPipelineBenchmark
{
    private Tensor _x = null!, _y = null!, _xScaled = null!;
    private Sequential _model = null!;

    /// <summary>Batches in one epoch (printed at set-up for the batches-per-second figure).</summary>
    public int Batches { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var fashion = Directory.Exists(Datasets.FashionMnist.DebianFolder);
        ((_x, _y), _) = fashion ? Datasets.FashionMnist.LoadData() : Datasets.Mnist.LoadSample();
        _xScaled = NF.Reshape(_x / 255f, [-1, 28 * 28]);
        _model = new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10, activation: "softmax"));
        _model.Compile(new Optimizers.SGD(0.01f), "sparse_categorical_crossentropy", ["accuracy"]);
        Batches = Drain(Pipeline());
        Console.WriteLine($"// data: {(fashion ? "Fashion-MNIST" : "MNIST sample")}, {_x.Shape[0]} images, {Batches} batches per epoch, backend {NF.Backend.Name}");
    }

    private Dataset<(Tensor, Tensor)> Pipeline() => Dataset.FromTensorSlices(_x, _y)
        .Map((img, label) => (NF.Cast(NF.Reshape(img, [28 * 28]), DType.Float32) / 255f, label))
        .Shuffle(bufferSize: 5000)
        .Batch(256);

    private static int Drain(IEnumerable<(Tensor, Tensor)> epoch)
    {
        int n = 0;
        foreach (var (xb, yb) in epoch)
        {
            xb.Dispose();
            yb.Dispose();
            n++;
        }
        return n;
    }

    [Benchmark(Baseline = true)]
    public int EpochWithoutPrefetch() => Drain(Pipeline());

    [Benchmark]
    public int EpochWithPrefetch() => Drain(Pipeline().Prefetch(Dataset.Autotune));

    /// <summary>A training epoch of the workshop's model fed from tensors (Fit gathers shuffled batches itself).</summary>
    [Benchmark]
    public int TrainingEpochFromTensors()
    {
        _model.Fit(_xScaled, _y, batchSize: 256, epochs: 1, verbose: 0);
        return Batches;
    }

    /// <summary>The same epoch fed by the section-6 pipeline with Prefetch: the pipeline's share is the difference.</summary>
    [Benchmark]
    public int TrainingEpochFromPipeline()
    {
        _model.Fit(Pipeline().Prefetch(Dataset.Autotune), epochs: 1, verbose: 0);
        return Batches;
    }
}
