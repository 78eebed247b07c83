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
        Assert.Equal("tensor([[ 1. ,  2.5],\n        [-3. ,  4. ]], shape=(2, 2), dtype=float32)", m.ToString()); // NumPy aligns the points
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

    // Expected strings are NumPy 1.24's repr of the same arrays (/usr/bin/python3 -c "import numpy as np; print(repr(...))"),
    // whose digits TensorFlow prints too (issue 16: 1.5081716, not 1.5082).
    [Theory]
    [InlineData(new[] { 1.5081716f }, "1.5081716")]
    [InlineData(new[] { 0.1f }, "0.1")]
    [InlineData(new[] { 1e-8f }, "1e-08")]
    [InlineData(new[] { 123456789f }, "123456790.0")]
    [InlineData(new[] { 1f / 3 }, "0.33333334")]
    [InlineData(new[] { 1e-4f }, "0.0001")]
    [InlineData(new[] { -0f }, "-0.0")]
    [InlineData(new[] { 1e16f }, "1e+16")]
    public void A_float32_scalar_prints_its_shortest_round_trip_digits(float[] value, string expected)
    {
        using var s = NF.Constant(value[0]);
        Assert.Equal($"tensor({expected}, shape=(), dtype=float32)", s.ToString());
        Assert.Equal(value[0], float.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)); // the digits round-trip
    }

    [Fact]
    public void A_float64_scalar_prints_as_python_repr()
    {
        using var pi = NF.Constant(Math.PI);
        Assert.Equal("tensor(3.141592653589793, shape=(), dtype=float64)", pi.ToString());
    }

    [Theory]
    [InlineData(new[] { 1.5081716f, 2f }, "[1.5081716, 2.       ]")]
    [InlineData(new[] { 1.5f, 2f, 3.25f, -10f }, "[  1.5 ,   2.  ,   3.25, -10.  ]")]
    [InlineData(new[] { 1e-8f, 1.5f }, "[1.0e-08, 1.5e+00]")]
    [InlineData(new[] { 1f / 3, 2f / 3 }, "[0.33333334, 0.6666667 ]")]
    [InlineData(new[] { float.NaN, 1.5f, float.NegativeInfinity }, "[ nan,  1.5, -inf]")]
    [InlineData(new[] { 0f, -0f, 1e-5f }, "[ 0.e+00, -0.e+00,  1.e-05]")]
    [InlineData(new[] { 100000000f }, "[1.e+08]")]
    public void Float32_arrays_print_as_numpy(float[] values, string expected)
    {
        using var t = NF.Constant(values);
        Assert.Equal($"tensor({expected}, shape=({values.Length},), dtype=float32)", t.ToString());
    }

    [Theory]
    [InlineData(new[] { 1.0 / 3, 2.0 / 3 }, "[0.33333333, 0.66666667]")]
    [InlineData(new[] { 1e-8, 1.5, 1000 }, "[1.0e-08, 1.5e+00, 1.0e+03]")]
    [InlineData(new[] { 0.999999999, 1e-100, 5 }, "[9.99999999e-001, 1.00000000e-100, 5.00000000e+000]")]
    [InlineData(new[] { 0.99999999999, 2.5 }, "[1. , 2.5]")]
    [InlineData(new[] { 12345678.9 }, "[12345678.9]")]
    public void Float64_arrays_print_as_numpy(double[] values, string expected)
    {
        using var t = NF.Constant(values);
        Assert.Equal($"tensor({expected}, shape=({values.Length},), dtype=float64)", t.ToString());
    }

    [Fact]
    public void A_variable_prints_as_tensorflow_does()
    {
        using var w = new Variable(NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } }), name: "dense/kernel");
        Assert.Equal("<Variable 'dense/kernel' shape=(2, 2) dtype=float32, numpy=array([[1., 2.],\n       [3., 4.]], dtype=float32)>", w.ToString());
        using var s = new Variable(2.5);
        Assert.Equal("<Variable 'Variable' shape=() dtype=float64, numpy=2.5>", s.ToString());
        using var d = new Variable(NF.Constant(new[] { 1.0, 2.0 }), name: "d");
        Assert.Equal("<Variable 'd' shape=(2,) dtype=float64, numpy=array([1., 2.])>", d.ToString());
        Assert.Equal("<Variable 'd' shape=(2,) dtype=float64, numpy=array([1., 2.])>", $"{d}");
    }
}
