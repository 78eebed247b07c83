namespace NeuralFlow.Image.Codecs;

/// <summary>
/// The checks every decoder makes on a header before it allocates: the bytes are untrusted, so a
/// claimed size is refused rather than believed when it is absurd.
/// </summary>
internal static class ImageLimits
{
    /// <summary>The most pixels a decoded image may have (2^28, a 16384 x 16384 image).</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>Throws an <see cref="InvalidDataException"/> naming <paramref name="format"/> unless the size is positive and within <see cref="MaxPixels"/>.</summary>
    public static void CheckSize(string format, long width, long height, int channels)
    {
        if (width < 1 || height < 1)
            throw Invalid(format, $"the header gives an empty image ({width} x {height})");
        if (width > MaxPixels || height > MaxPixels || width * height > MaxPixels)
            throw Invalid(format, $"the header claims {width} x {height} pixels, more than the {MaxPixels} (2^28) a decoded image may have");
        if (width * height * channels > int.MaxValue)
            throw Invalid(format, $"{width} x {height} x {channels} samples do not fit one array");
    }

    /// <summary>The error for malformed bytes: "Invalid PNG image: ...".</summary>
    public static InvalidDataException Invalid(string format, string what) => new($"Invalid {format} image: {what}.");
}
