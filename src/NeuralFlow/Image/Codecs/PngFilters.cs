namespace NeuralFlow.Image.Codecs;

/// <summary>PNG's five row filters (None, Sub, Up, Average, Paeth): the predictor a row's bytes are coded against.</summary>
internal static class PngFilters
{
    /// <summary>
    /// The prediction of filter <paramref name="filter"/> (0 to 4) for a byte whose left neighbour (one
    /// pixel back) is <paramref name="a"/>, upper neighbour <paramref name="b"/> and upper-left <paramref name="c"/>.
    /// </summary>
    public static byte Predict(int filter, int a, int b, int c)
    {
        switch (filter)
        {
            case 1: return (byte)a;
            case 2: return (byte)b;
            case 3: return (byte)((a + b) >> 1);
            case 4:
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
            default: return 0;
        }
    }
}
