using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// The hostile-input sweep of the new tf.data steps (bucket_by_sequence_length, sample_from_datasets):
/// an IndexOutOfRangeException and a sampler that stopped sampling, before.
/// </summary>
public abstract class TrustSweep3DataTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void BucketBySequenceLength_names_padding_to_a_boundary_without_boundaries()
    {
        RequireBackend();
        // Each element threw IndexOutOfRangeException (boundaries[^1] of an empty list) while iterating.
        var e = Assert.Throws<ArgumentException>(() =>
            Dataset.Range(4).BucketBySequenceLength(x => NF.Constant(1L), [], [2], padToBucketBoundary: true));
        Assert.Equal("bucketBoundaries", e.ParamName);
        // Without padding to the boundary, no boundary (one bucket) stays valid, as in tf.data.
        Assert.Equal(2, Dataset.Range(4).BucketBySequenceLength(x => NF.Constant(1L), [], [2]).Count());
    }

    [SkippableFact]
    public void SampleFromDatasets_still_samples_with_weights_whose_sum_overflows()
    {
        RequireBackend();
        // Two finite weights near double.MaxValue summed to infinity, and every draw took the first
        // dataset until it ran out: [0..9, 100..109] instead of a mix.
        var low = Dataset.Range(0, 10);
        var high = Dataset.Range(100, 110);
        var drawn = Dataset.SampleFromDatasets([low, high], [1e308, 1e308], seed: 1)
            .Select(t => t.Item<long>()).ToList();
        Assert.Equal(20, drawn.Count);
        Assert.Contains(drawn.Take(10), v => v >= 100);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), drawn.Where(v => v < 100));
    }
}

/// <summary>The sweep's data cases on the managed backend.</summary>
public sealed class ManagedTrustSweep3DataTests() : TrustSweep3DataTests("managed");

/// <summary>The sweep's data cases on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep3DataTests() : TrustSweep3DataTests("cpu");

/// <summary>The tf.data sweep on CUDA.</summary>
public sealed class CudaTrustSweep3DataTests() : TrustSweep3DataTests("cuda");
