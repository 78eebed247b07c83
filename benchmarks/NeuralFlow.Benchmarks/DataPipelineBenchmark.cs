using BenchmarkDotNet.Attributes;
using NeuralFlow.Data;

namespace NeuralFlow.Benchmarks;

/// <summary>
/// One epoch of the workshop's section-6 input pipeline (map to float32 / 255, shuffle 5000,
/// batch 256) on Fashion-MNIST (Debian's files; the embedded MNIST sample where absent), with
/// and without Prefetch, next to the forward pass of the workshop's 784-50-10 network over the
/// same batches as a stand-in for a training step. Batches per second = Batches / epoch time;
/// the pipeline's share of an epoch = pipeline time / (pipeline time + step time).
/// </summary>
[MemoryDiagnoser]
public class DataPipelineBenchmark
{
    private Tensor _x = null!, _y = null!, _w1 = null!, _w2 = null!;
    private List<Tensor> _batches = null!;

    /// <summary>Batches in one epoch (printed at set-up for the batches-per-second figure).</summary>
    public int Batches { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var fashion = Directory.Exists(Datasets.FashionMnist.DebianFolder);
        ((_x, _y), _) = fashion ? Datasets.FashionMnist.LoadData() : Datasets.Mnist.LoadSample();
        _w1 = NF.Random.Normal([28 * 28, 50]);
        _w2 = NF.Random.Normal([50, 10]);
        _batches = Pipeline().Select(b => b.Item1).ToList();
        Batches = _batches.Count;
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

    /// <summary>Forward pass of the 784-50-10 network over one epoch of ready batches.</summary>
    [Benchmark]
    public int ForwardPassEpoch()
    {
        foreach (var xb in _batches)
        {
            using var h = NF.MatMul(xb, _w1);
            using var a = NF.Relu(h);
            using var logits = NF.MatMul(a, _w2);
            NF.Softmax(logits).Dispose();
        }
        return _batches.Count;
    }

    /// <summary>Both at once, as in training: the pipeline prefetches while the forward pass runs.</summary>
    [Benchmark]
    public int PrefetchedEpochWithForwardPass()
    {
        int n = 0;
        foreach (var (xb, yb) in Pipeline().Prefetch(Dataset.Autotune).AutoDispose())
        {
            using var h = NF.MatMul(xb, _w1);
            using var a = NF.Relu(h);
            using var logits = NF.MatMul(a, _w2);
            NF.Softmax(logits).Dispose();
            n++;
        }
        return n;
    }
}
