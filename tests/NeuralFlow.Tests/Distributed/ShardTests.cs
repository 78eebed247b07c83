using NeuralFlow.Data;

namespace NeuralFlow.Tests.Distributed;

/// <summary>Dataset.Shard as tf.data's shard: disjoint, complete, in order, with the right cardinality.</summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(9, 3)]
    [InlineData(2, 4)]
    public void Shards_are_disjoint_cover_the_data_and_know_their_size(int n, int shards)
    {
        var ds = Dataset.FromTensorSlices(NF.Range(0, n));
        var seen = new List<int>();
        for (int i = 0; i < shards; i++)
        {
            var shard = ds.Shard(shards, i);
            var values = shard.Select(t => t.Item<int>()).ToList();
            Assert.Equal(Enumerable.Range(0, n).Where(v => v % shards == i), values);  // tf.data: elements i, i + n, ...
            Assert.Equal(values.Count, shard.Cardinality);
            seen.AddRange(values);
        }
        Assert.Equal(Enumerable.Range(0, n), seen.Order());
    }

    [Fact]
    public void Shard_keeps_unknown_and_infinite_cardinality()
    {
        var ds = Dataset.FromTensorSlices(NF.Range(0, 10));
        Assert.Equal(Dataset.Infinite, ds.Repeat().Shard(2, 0).Cardinality);
        Assert.Equal(Dataset.Unknown, ds.Filter(t => t.Item<int>() > 3).Shard(2, 1).Cardinality);
    }

    [Fact]
    public void Shard_names_a_bad_argument()
    {
        var ds = Dataset.FromTensorSlices(NF.Range(0, 10));
        Assert.Equal("numShards", Assert.Throws<ArgumentOutOfRangeException>(() => ds.Shard(0, 0)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ds.Shard(2, 2));
        Assert.Equal("index", e.ParamName);
        Assert.Contains("[0, 2)", e.Message);
    }
}
