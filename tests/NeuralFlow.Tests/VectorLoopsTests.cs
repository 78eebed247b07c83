using System.Numerics.Tensors;
using NeuralFlow.Backends.Managed;

namespace NeuralFlow.Tests;

/// <summary>
/// VectorLoops replaced TensorPrimitives in the managed engine's exactly rounded ops (issue 17):
/// the same bits for every value class (signed zeros, subnormals, infinities, NaN), every span
/// length around the vector width, in place and not.
/// </summary>
public sealed class VectorLoopsTests
{
    private static float[] Floats(int n, int seed)
    {
        var special = new[] { 0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, 1e-40f, float.MaxValue, float.MinValue,
                              float.PositiveInfinity, float.NegativeInfinity, float.NaN, 3.3f, -2.5e-8f, 1e30f };
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(i => r.Next(3) == 0 ? special[r.Next(special.Length)] : (float)(r.NextDouble() * 200 - 100)).ToArray();
    }

    private static void SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]) ||
                        (float.IsNaN(expected[i]) && float.IsNaN(actual[i])), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    public static TheoryData<int> Lengths => new() { 0, 1, 7, 8, 9, 15, 16, 17, 33, 100 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Binary_ops_give_TensorPrimitives_bits(int n)
    {
        var a = Floats(n, 1);
        var b = Floats(n, 2);
        var expected = new float[n];
        var actual = new float[n];
        void Check(string name, Action<float[], float[], float[]> tp, Action<float[], float[], float[]> ours)
        {
            tp(a, b, expected);
            ours(a, b, actual);
            SameBits(expected, actual, name);
        }
        Check("add", (x, y, d) => TensorPrimitives.Add(x, y, d), (x, y, d) => AddOp<float>.Vec(x, y, d));
        Check("sub", (x, y, d) => TensorPrimitives.Subtract(x, y, d), (x, y, d) => SubOp<float>.Vec(x, y, d));
        Check("mul", (x, y, d) => TensorPrimitives.Multiply(x, y, d), (x, y, d) => MulOp<float>.Vec(x, y, d));
        Check("div", (x, y, d) => TensorPrimitives.Divide(x, y, d), (x, y, d) => DivFloatOp<float>.Vec(x, y, d));
        Check("div scalar", (x, y, d) => TensorPrimitives.Divide(x, -0f, d), (x, y, d) => DivFloatOp<float>.VecAS(x, -0f, d));
        Check("scalar sub", (x, y, d) => TensorPrimitives.Subtract(2.5f, y, d), (x, y, d) => SubOp<float>.VecSA(2.5f, y, d));
        Check("neg", (x, y, d) => TensorPrimitives.Negate(x, d), (x, y, d) => NegOp<float>.Vec(x, d));
        Check("abs", (x, y, d) => TensorPrimitives.Abs(x, d), (x, y, d) => AbsFloatOp<float>.Vec(x, d));
        Check("sqrt", (x, y, d) => TensorPrimitives.Sqrt(x, d), (x, y, d) => SqrtOp<float>.Vec(x, d));
        Check("square", (x, y, d) => TensorPrimitives.Multiply(x, x, d), (x, y, d) => SquareOp<float>.Vec(x, d));
        // In place: the destination is the first source.
        var inPlace = (float[])a.Clone();
        TensorPrimitives.Add(a, b, expected);
        AddOp<float>.Vec(inPlace, b, inPlace);
        SameBits(expected, inPlace, "add in place");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Conversions_and_argmax_give_TensorPrimitives_values(int n)
    {
        var x = Floats(n, 3);
        var wide = new double[n];
        var expectedWide = new double[n];
        TensorPrimitives.ConvertTruncating<float, double>(x, expectedWide);
        VectorLoops.Widen(x, wide);
        Assert.Equal(expectedWide.Select(BitConverter.DoubleToInt64Bits), wide.Select(BitConverter.DoubleToInt64Bits));
        // Doubles that round, overflow to infinity and fall below float's subnormals.
        var d = Enumerable.Range(0, n).Select(i => (i % 4) switch { 0 => 1e39, 1 => 1.0 + 1e-9 * i, 2 => -1e-46, _ => 0.1 * i }).ToArray();
        var narrow = new float[n];
        var expectedNarrow = new float[n];
        TensorPrimitives.ConvertTruncating<double, float>(d, expectedNarrow);
        VectorLoops.Narrow(d, narrow);
        SameBits(expectedNarrow, narrow, "narrow");
        if (n == 0) return;
        Assert.Equal(TensorPrimitives.IndexOfMax<float>(x), VectorLoops.IndexOfMax<float>(x));
        var finite = x.Select(v => float.IsNaN(v) ? 1f : v).ToArray();
        Assert.Equal(TensorPrimitives.IndexOfMax<float>(finite), VectorLoops.IndexOfMax<float>(finite));
    }

    [Fact]
    public void Argmax_takes_the_first_NaN_and_positive_over_negative_zero()
    {
        Assert.Equal(1, VectorLoops.IndexOfMax<double>([-0.0, 0.0, -0.0]));
        Assert.Equal(0, VectorLoops.IndexOfMax<double>([0.0, -0.0]));
        Assert.Equal(2, VectorLoops.IndexOfMax<double>([1.0, 5.0, double.NaN, 7.0, double.NaN]));
        Assert.Equal(1, VectorLoops.IndexOfMax<double>([1.0, 5.0, 5.0]));
        Assert.Equal(-1, VectorLoops.IndexOfMax<double>([]));
        Assert.Equal(0.0, VectorLoops.Max<double>([-0.0, 0.0]));
        Assert.True(double.IsPositive(VectorLoops.Max<double>([-0.0, 0.0])));
    }

    [Fact]
    public void Spans_of_different_lengths_are_refused()
    {
        Assert.Contains("differ in length", Assert.Throws<ArgumentException>(() => AddOp<float>.Vec(new float[3], new float[4], new float[4])).Message);
        Assert.Contains("destination", Assert.Throws<ArgumentException>(() => NegOp<float>.Vec(new float[5], new float[4])).Message);
    }
}
