namespace NeuralFlow.Tests.Float16;

/// <summary>float16 tensors as bit patterns (the form float16_references.py prints), for exact comparisons.</summary>
internal static class Float16Testing
{
    /// <summary>A float16 tensor of the given bit patterns.</summary>
    public static Tensor FromBits(params ushort[] bits) => NF.Constant(bits.Select(BitConverter.UInt16BitsToHalf).ToArray());

    /// <summary>The bit patterns of a float16 tensor, asserting its dtype.</summary>
    public static ushort[] Bits(Tensor t)
    {
        Assert.Equal(DType.Float16, t.DType);
        return t.ToArray<Half>().Select(BitConverter.HalfToUInt16Bits).ToArray();
    }

    /// <summary>Exact equality of float16 bit patterns, except that any NaN matches any NaN.</summary>
    public static void Exactly(ushort[] expected, Tensor actual, string what)
    {
        var got = Bits(actual);
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            bool nanE = Half.IsNaN(BitConverter.UInt16BitsToHalf(expected[i])), nanG = Half.IsNaN(BitConverter.UInt16BitsToHalf(got[i]));
            Assert.True(nanE ? nanG : expected[i] == got[i], $"{what}[{i}]: expected 0x{expected[i]:X4}, got 0x{got[i]:X4}");
        }
    }

    /// <summary>Within one float16 ulp (the same sign, bit patterns at most 1 apart): a result rounded twice.</summary>
    public static void WithinOneUlp(ushort[] expected, Tensor actual, string what)
    {
        var got = Bits(actual);
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            bool sameSign = (expected[i] & 0x8000) == (got[i] & 0x8000);
            Assert.True(sameSign && Math.Abs(expected[i] - got[i]) <= 1, $"{what}[{i}]: expected 0x{expected[i]:X4} within 1 ulp, got 0x{got[i]:X4}");
        }
    }
}
