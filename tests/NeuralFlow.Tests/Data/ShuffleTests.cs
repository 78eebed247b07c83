using NeuralFlow.Data;

namespace NeuralFlow.Tests.Data;

/// <summary>Shuffle: TensorFlow's buffer semantics, epochs, seeds.</summary>
public class ShuffleTests
{
    private static int[] Epoch(Dataset<Tensor> ds) => DatasetTests.Values(ds);

    [Fact]
    public void Every_element_appears_exactly_once_per_epoch()
    {
        var ds = Dataset.FromTensorSlices(DatasetTests.Iota(1000)).Shuffle(100, seed: 5);
        for (int epoch = 0; epoch < 3; epoch++)
            Assert.Equal(Enumerable.Range(0, 1000).ToArray(), Epoch(ds).Order().ToArray());
    }

    [Fact]
    public void Reshuffles_each_epoch_and_a_seed_repeats_the_whole_sequence()
    {
        var run1 = Dataset.FromTensorSlices(DatasetTests.Iota(200)).Shuffle(200, seed: 42);
        var run2 = Dataset.FromTensorSlices(DatasetTests.Iota(200)).Shuffle(200, seed: 42);
        var e1 = Epoch(run1);
        var e2 = Epoch(run1);
        Assert.NotEqual(e1, e2);
        Assert.NotEqual(Enumerable.Range(0, 200).ToArray(), e1);
        Assert.Equal(e1, Epoch(run2));
        Assert.Equal(e2, Epoch(run2));

        var fixedOrder = Dataset.FromTensorSlices(DatasetTests.Iota(200)).Shuffle(200, seed: 7, reshuffleEachIteration: false);
        Assert.Equal(Epoch(fixedOrder), Epoch(fixedOrder));

        var unseeded = Dataset.FromTensorSlices(DatasetTests.Iota(200)).Shuffle(200);
        Assert.NotEqual(Epoch(unseeded), Epoch(unseeded));
    }

    [Fact]
    public void A_small_buffer_only_mixes_nearby_elements_as_in_TensorFlow()
    {
        // With a buffer of b, output i is one of inputs 0 .. i + b - 1.
        const int b = 10;
        var order = Epoch(Dataset.FromTensorSlices(DatasetTests.Iota(500)).Shuffle(b, seed: 1));
        for (int i = 0; i < order.Length; i++) Assert.True(order[i] < i + b, $"output {i} was input {order[i]}");
        Assert.Equal(DatasetTests.Values(Dataset.FromTensorSlices(DatasetTests.Iota(50))), Epoch(Dataset.FromTensorSlices(DatasetTests.Iota(50)).Shuffle(1)));
    }

    [Fact]
    public void Positions_are_close_to_uniform_with_a_full_buffer()
    {
        // Where element 0 lands over 2000 epochs of 10 elements: about 200 times each position.
        var ds = Dataset.FromTensorSlices(DatasetTests.Iota(10)).Shuffle(10, seed: 9);
        var counts = new int[10];
        for (int epoch = 0; epoch < 2000; epoch++) counts[Array.IndexOf(Epoch(ds), 0)]++;
        double chi2 = counts.Sum(c => (c - 200.0) * (c - 200.0) / 200.0);
        Assert.True(chi2 < 27.9, $"chi-square {chi2:0.0} (9 degrees of freedom, p = 0.001) for counts {string.Join(", ", counts)}");
    }
}
