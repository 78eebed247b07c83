namespace NeuralFlow.Tests;

public class FormatTests
{
    [Fact]
    public void Prints_like_the_workshop()
    {
        using var x = NF.Constant(new[] { 1, 2, 3, 4 });
        Assert.Equal("tensor([1, 2, 3, 4], shape=(4,), dtype=int32)", x.ToString());
        using var s = NF.Constant(2.5f);
        Assert.Equal("tensor(2.5, shape=(), dtype=float32)", s.ToString());
        using var m = NF.Constant(new[,] { { 1f, 2.5f }, { -3f, 4f } });
        Assert.Equal("tensor([[ 1., 2.5],\n        [-3.,  4.]], shape=(2, 2), dtype=float32)", m.ToString());
        using var b = NF.Constant(new[] { true, false });
        Assert.Equal("tensor([ True, False], shape=(2,), dtype=bool)", b.ToString()); // NumPy pads too
    }

    [Fact]
    public void Large_tensors_are_summarised()
    {
        using var big = NF.Reshape(NF.Range(100000), [1000, 100]);
        var text = big.ToString();
        Assert.Contains("...", text);
        Assert.StartsWith("tensor([[    0,     1,     2, ...,    97,    98,    99],", text);
        Assert.Contains("[99900, 99901, 99902, ..., 99997, 99998, 99999]]", text);
        Assert.EndsWith("shape=(1000, 100), dtype=int32)", text);
        Assert.True(text.Length < 1000);
    }
}
