namespace NeuralFlow.Tests.UserProbe2;

/// <summary>
/// NF.Concat of scalars says what is wrong and what to use (tf.concat: "Can't concatenate
/// scalars (use tf.stack instead)"); it said "valid axes are 0..-1".
/// </summary>
public class ConcatScalarsTests
{
    [Fact]
    public void Concatenating_scalars_points_to_Stack()
    {
        var e = Assert.Throws<ArgumentException>(() => NF.Concat([NF.Constant(1f), NF.Constant(2f)]));
        Assert.Contains("Concat: the tensors are scalars", e.Message);
        Assert.Contains("NF.Stack", e.Message);
        Assert.Equal(new[] { 1f, 2f }, NF.Stack([NF.Constant(1f), NF.Constant(2f)]).ToArray<float>());
    }
}
