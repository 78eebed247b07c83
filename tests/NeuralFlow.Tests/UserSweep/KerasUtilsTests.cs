using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>keras.utils.to_categorical and normalize, with the values of their Keras docstrings.</summary>
public sealed class KerasUtilsTests
{
    [Fact]
    public void ToCategorical_as_the_keras_docstring()
    {
        // to_categorical([0, 1, 2, 3], num_classes=4) is the 4x4 identity, float32.
        var y = Utils.ToCategorical(NF.Constant(new[] { 0, 1, 2, 3 }), numClasses: 4);
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal(new Shape(4, 4), y.Shape);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i % 5 == 0 ? 1f : 0f).ToArray(), y.ToArray<float>());
        // Without num_classes: max + 1; a (N, 1) column loses its last axis; uint8 and float labels work.
        var column = Utils.ToCategorical(NF.Constant(new byte[,] { { 2 }, { 0 } }));
        Assert.Equal(new Shape(2, 3), column.Shape);
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f], column.ToArray<float>());
        Assert.Equal([0f, 1f], Utils.ToCategorical(NF.Constant(new[] { 1f })).ToArray<float>());
    }

    [Fact]
    public void ToCategorical_names_bad_labels()
    {
        Assert.Contains("[0, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.ToCategorical(NF.Constant(new[] { 0, 3 }), 3)).Message);
        Assert.Contains("-1", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.ToCategorical(NF.Constant(new[] { -1, 0 }))).Message);
        Assert.Contains("whole numbers", Assert.Throws<ArgumentException>(() => Utils.ToCategorical(NF.Constant(new[] { 0.5f }))).Message);
    }

    [Fact]
    public void ToCategorical_feeds_categorical_crossentropy_like_sparse_labels()
    {
        NF.Random.SetSeed(31);
        var labels = NF.Random.Uniform([16], 0, 3, DType.Int32);
        var logits = NF.Random.Normal([16, 3]);
        var sparse = new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(labels, logits).Item<float>();
        var dense = new Losses.CategoricalCrossentropy(fromLogits: true).Call(Utils.ToCategorical(labels, 3), logits).Item<float>();
        Assert.Equal(sparse, dense, 5);
    }

    [Fact]
    public void Normalize_divides_by_the_l2_norm_and_keeps_zero_rows()
    {
        var x = NF.Constant(new[,] { { 3f, 4f }, { 0f, 0f } });
        Assert.Equal([0.6f, 0.8f, 0f, 0f], Utils.Normalize(x).ToArray<float>());
        Assert.Equal([0.42857143f, 0.5714286f, 0f, 0f], Utils.Normalize(x, order: 1).ToArray<float>());
    }
}
