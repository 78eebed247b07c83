using NeuralFlow.Data;
using NeuralFlow.Tests.Data;

namespace NeuralFlow.Tests.UserProbe2;

/// <summary>
/// Dataset.Shuffle without a seed of its own follows the global seed, as tf.data's shuffle
/// follows tf.random.set_seed: the same program after the same NF.Random.SetSeed shuffles the
/// same way, epoch after epoch; it used to draw from System.Random.Shared and differ every run.
/// </summary>
public class ShuffleGlobalSeedTests
{
    private static List<int[]> TwoEpochs()
    {
        var ds = Dataset.FromTensorSlices(DatasetTests.Iota(50)).Shuffle(50);
        return [DatasetTests.Values(ds), DatasetTests.Values(ds)];
    }

    [Fact]
    public void The_global_seed_repeats_the_sequence_of_orders()
    {
        NF.Random.SetSeed(7);
        var first = TwoEpochs();
        NF.Random.SetSeed(7);
        var second = TwoEpochs();
        Assert.Equal(first[0], second[0]);
        Assert.Equal(first[1], second[1]);
        Assert.NotEqual(first[0], first[1]);                       // still a new order each epoch
        Assert.NotEqual(Enumerable.Range(0, 50).ToArray(), first[0]);

        NF.Random.SetSeed(8);
        Assert.NotEqual(first[0], TwoEpochs()[0]);                 // another seed, another order
    }

    [Fact]
    public void Two_unseeded_shuffles_after_one_SetSeed_differ_from_each_other()
    {
        // tf.data gives each shuffle op its own seed from the global one, so two pipelines differ.
        NF.Random.SetSeed(3);
        Assert.NotEqual(TwoEpochs()[0], TwoEpochs()[0]);
    }
}
