namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// apps2_references.py's summary() of a feature map, checked: per image its sum, its sum of squares and the values at
/// a few flat indices (after its shape), which pin a map of thousands of values without hard-coding them all.
/// </summary>
internal static class Applications2FeatureSummary
{
    public static void AssertMatches(Tensor features, Shape shape, double[] sums, double[] squares, int[] picks, float[] pickValues)
    {
        Assert.Equal(shape, features.Shape);
        var values = features.ToArray<float>();
        int images = sums.Length, per = values.Length / images;
        Assert.Equal(images * per, values.Length);
        // float32 against float64: relative to the values' size.
        float scale = Math.Max(1f, pickValues.Max(MathF.Abs));
        for (int n = 0; n < images; n++)
        {
            var image = values.AsSpan(n * per, per).ToArray();
            Assert.Equal(sums[n], image.Sum(v => (double)v), Math.Abs(sums[n]) * 1e-5);
            Assert.Equal(squares[n], image.Sum(v => (double)v * v), squares[n] * 1e-5);
            for (int p = 0; p < picks.Length; p++) Assert.Equal(pickValues[n * picks.Length + p], image[picks[p]], scale * 1e-4f);
        }
    }
}
