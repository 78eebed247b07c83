using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public static partial class Utils
{
    /// <summary>
    /// Loads an image file as a float32 [height, width, channels] tensor of values 0..255
    /// (Keras' <c>keras.utils.load_img</c> followed by <c>img_to_array</c>, in one step: a tensor is
    /// what a C# caller feeds next). <paramref name="colorMode"/> "rgb" (3 channels), "rgba" (4) or
    /// "grayscale" (1). With <paramref name="targetSize"/> (height, width) the image is resized with
    /// <paramref name="interpolation"/> ("nearest", Keras' default, "bilinear" or "bicubic", filtered
    /// when shrinking as PIL does); <paramref name="keepAspectRatio"/> first crops the largest centred
    /// box of the target's aspect ratio, as Keras does. Reads PNG, JPEG, GIF (the first frame) and BMP
    /// (<c>NF.Image.DecodeImage</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image that can be decoded (named in the message).</exception>
    public static Tensor LoadImg(string path, string colorMode = "rgb", (int Height, int Width)? targetSize = null,
                                 string interpolation = "nearest", bool keepAspectRatio = false)
    {
        const string op = "LoadImg";
        ArgumentNullException.ThrowIfNull(path);
        int channels = ColorChannels(op, colorMode);
        if (targetSize is { } size && (size.Height < 1 || size.Width < 1))
            throw new ArgumentOutOfRangeException(nameof(targetSize), $"{op}: target_size must be positive, got ({size.Height}, {size.Width}).");
        string method = interpolation?.ToLowerInvariant() switch
        {
            "nearest" or "bilinear" or "bicubic" => interpolation.ToLowerInvariant(),
            "box" or "hamming" or "lanczos" => throw new NotSupportedException($"{op}: PIL's \"{interpolation}\" filter is not available; use \"nearest\", \"bilinear\" or \"bicubic\"."),
            _ => throw new ArgumentException($"{op}: Invalid interpolation method specified: {interpolation}. Supported methods are \"nearest\", \"bilinear\", \"bicubic\".", nameof(interpolation)),
        };
        if (!File.Exists(path)) throw new FileNotFoundException($"{op}: the file '{path}' does not exist.", path);
        using var image = DecodeImageFile(op, path, channels);
        if (targetSize is not { } target || (image.Shape[0] == target.Height && image.Shape[1] == target.Width))
            return NF.Cast(image, DType.Float32);
        var window = keepAspectRatio ? ImageResampling.AspectWindow(image.Shape[0], image.Shape[1], target.Height, target.Width) : (0, 0, image.Shape[0], image.Shape[1]);
        // PIL's resize filters when it shrinks (its bilinear is TF's antialiased bilinear).
        using var resized = NF.Image.ResizeWindow(op, image, target.Height, target.Width, method, antialias: true, window);
        return NF.Cast(resized, DType.Float32);
    }

    /// <summary>
    /// Saves an image tensor [height, width, channels] (or [channels, height, width] with
    /// <paramref name="dataFormat"/> "channels_first") as a PNG file (Keras' <c>keras.utils.save_img</c>,
    /// through <c>array_to_img</c>): with <paramref name="scale"/> the values are shifted and scaled
    /// to 0..255 (minimum to 0, maximum to 255), then truncated to integers as numpy's
    /// <c>astype("uint8")</c>; without it they must already lie in 0..255. 1 channel is gray, 3 RGB,
    /// 4 RGBA. The file is written atomically (a crash never leaves half an image).
    /// </summary>
    /// <exception cref="ArgumentException">The rank, channel count or values do not make an image, or the extension is not .png.</exception>
    public static void SaveImg(string path, Tensor x, string dataFormat = "channels_last", bool scale = true)
    {
        const string op = "SaveImg";
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(x);
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException($"{op}: only PNG files can be written (NF.Image.EncodePng); '{path}' asks for another format.");
        if (x.Rank != 3) throw new ArgumentException($"{op}: Expected image array to have rank 3 (single image). Got array with shape: {x.Shape}", nameof(x));
        if (dataFormat is not ("channels_last" or "channels_first"))
            throw new ArgumentException($"{op}: data_format must be \"channels_last\" or \"channels_first\", got \"{dataFormat}\".", nameof(dataFormat));
        var image = dataFormat == "channels_first" ? NF.Transpose(x, [1, 2, 0]) : x;
        int channels = image.Shape[2];
        if (channels is not (1 or 3 or 4)) throw new ArgumentException($"{op}: Unsupported channel number: {channels}", nameof(x));
        var values = image.ToDoubleArray();
        if (values.Any(double.IsNaN)) throw new ArgumentException($"{op}: the image holds NaN values.", nameof(x));
        if (scale && values.Length > 0)
        {
            double min = values.Min(), max = values.Max() - min;
            for (int i = 0; i < values.Length; i++) values[i] = (max != 0 ? (values[i] - min) / max : values[i] - min) * 255;
        }
        else if (Array.FindIndex(values, v => v < 0 || v >= 256) is var at and >= 0)
            throw new ArgumentException($"{op}: with scale false the values must lie in 0..255 (8-bit PNG), found {values[at]}.", nameof(x));
        var bytes = values.Select(v => (byte)Math.Clamp(Math.Truncate(v), 0, 255)).ToArray();
        using var pixels = NF.Constant(bytes, [image.Shape[0], image.Shape[1], channels]);
        var png = NF.Image.EncodePng(pixels);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    private static int ColorChannels(string op, string colorMode) => colorMode switch
    {
        "rgb" => 3,
        "rgba" => 4,
        "grayscale" => 1,
        _ => throw new ArgumentException($"{op}: `color_mode` must be one of {{\"rgb\", \"rgba\", \"grayscale\"}}. Received: color_mode={colorMode}", nameof(colorMode)),
    };

    // One image file as uint8 [height, width, channels], any failure naming the file.
    private static Tensor DecodeImageFile(string op, string path, int channels) => ReadFile(op, path, bytes => DecodeImageBytes(bytes, channels));

    // tf.io.decode_image (the decoder the signature names; a GIF's first frame, as Keras'
    // expand_animations=False). A GIF decodes to RGB only, where TF would refuse "grayscale" and
    // "rgba": it is converted instead, as PIL's convert does for Keras' load_img.
    private static Tensor DecodeImageBytes(byte[] bytes, int channels)
    {
        if (channels is 1 or 4 && bytes is [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..])
        {
            using var rgb = NF.Image.DecodeImage(bytes, 3, expandAnimations: false);
            if (channels == 1)
            {
                using var gray = NF.Image.RgbToGrayscale(NF.Cast(rgb, DType.Float32));
                return NF.Cast(NF.Round(gray), DType.UInt8);
            }
            using var alpha = NF.Fill([rgb.Shape[0], rgb.Shape[1], 1], 255, DType.UInt8);
            return NF.Concat([rgb, alpha], -1);
        }
        return NF.Image.DecodeImage(bytes, channels, expandAnimations: false);
    }
}
