namespace NeuralFlow.Tests.UserProbe25;

/// <summary>A shape sliced by a range, as the tutorial's <c>input_shape = example_spectrograms.shape[1:]</c>.</summary>
public sealed class TutorialSimpleAudioShapeRangeTests
{
    [Fact]
    public void A_range_of_axes_is_a_shape_and_a_range_past_the_rank_is_refused()
    {
        var shape = new Shape(64, 124, 129, 1);
        Assert.Equal(new Shape(124, 129, 1), shape[1..]);
        Assert.Equal(new Shape(64, 124), shape[..^2]);
        Assert.Equal(Shape.Scalar, shape[4..]);
        Assert.Equal(shape, shape[..]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[2..5]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[3..1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[^5..]);
    }
}
