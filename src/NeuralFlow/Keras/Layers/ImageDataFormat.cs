namespace NeuralFlow.Keras;

/// <summary>
/// Keras' <c>data_format</c> for the image augmentation layers that take it. They compute on
/// channels_last images, so channels_first ones ([N, C, H, W], one image [C, H, W]) are transposed
/// in and the result transposed back out: every pixel gets what it would get channels_last.
/// </summary>
internal static class ImageDataFormat
{
    /// <summary><paramref name="images"/> channels_last: as they are, or transposed from channels_first.</summary>
    public static Tensor ToChannelsLast(string op, Tensor images, string dataFormat)
    {
        if (dataFormat != "channels_first") return images;
        return images.Rank switch
        {
            4 => NF.Transpose(images, [0, 2, 3, 1]),
            3 => NF.Transpose(images, [1, 2, 0]),
            _ => throw new ArgumentException($"{op}: channels_first images must be NCHW [N, C, H, W] or one image [C, H, W], got shape {images.Shape}.", nameof(images)),
        };
    }

    /// <summary>Channels_last <paramref name="images"/> back in <paramref name="dataFormat"/>.</summary>
    public static Tensor FromChannelsLast(Tensor images, string dataFormat) => dataFormat != "channels_first" ? images
        : images.Rank == 4 ? NF.Transpose(images, [0, 3, 1, 2]) : NF.Transpose(images, [2, 0, 1]);
}
