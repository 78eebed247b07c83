namespace NeuralFlow.Tests.UserProbe24;

/// <summary>Shape's axis counted from the end with C#'s index syntax, as the quickstart's <c>x.shape[-1]</c>.</summary>
public sealed class ShapeFromEndIndexTests
{
    [Fact]
    public void Counts_from_the_end_and_refuses_past_either_end()
    {
        var shape = new Shape(2, 3, 9);
        Assert.Equal(9, shape[^1]);
        Assert.Equal(2, shape[^3]);
        Assert.Equal(3, shape[(Index)1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[^0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[^4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => shape[(Index)3]);
    }
}
