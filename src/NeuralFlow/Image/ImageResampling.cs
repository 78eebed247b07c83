namespace NeuralFlow;

/// <summary>
/// The one-axis resampling rules of <see cref="NF.Image.Resize"/> (tf.image.resize), as host-side
/// tables: every method but "nearest" is linear and separable, so an axis resized from n to m is a
/// [m, n] matrix of weights, and the 2-D resize is two products with such matrices (their
/// gradients are the transposed products). "nearest" is a table of source indices (a gather, which
/// keeps integer dtypes). Both read a window [start, start + length) of the axis, so a crop
/// followed by a resize is still one product (crop_to_aspect_ratio, CenterCrop, RandomCrop).
/// </summary>
internal static class ImageResampling
{
    /// <summary>The methods, as tf.image.resize and Keras' ops.image.resize spell them.</summary>
    public static readonly string[] Methods = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"];

    /// <summary>The method's canonical name, or an exception that lists the known ones.</summary>
    public static string Method(string op, string? method) =>
        method?.ToLowerInvariant() is { } m && Methods.Contains(m) ? m
            : throw new ArgumentException($"{op}: interpolation \"{method}\" is not supported; use one of {string.Join(", ", Methods.Select(x => $"\"{x}\""))}.", "interpolation");

    /// <summary>
    /// [outLength, axisLength] weights: output i of the window [start, start + length) resized to
    /// outLength. Bilinear and bicubic follow TF's scale_and_translate: output i is centred at input
    /// (i + 0.5) * length / outLength (half-pixel centres), the kernel (triangle; Keys cubic with
    /// a = -0.5) is read at each input pixel centre, taps outside the window get weight 0 and the
    /// rest are renormalised to sum 1 (TF's resize_bicubic does the same at the borders). With
    /// antialias a downscale widens the kernel by length / outLength (a low-pass filter). "area"
    /// averages the input over each output pixel's footprint, partial pixels by their overlap
    /// (TF's resize_area). "lanczos3" and "lanczos5" are scale_and_translate with TF's Lanczos kernel of
    /// radius 3 or 5 (a windowed sinc; its lobes can overshoot the input's range, which TF does not clip either).
    /// </summary>
    public static double[,] Weights(string method, int axisLength, int start, int length, int outLength, bool antialias)
    {
        var w = new double[outLength, axisLength];
        double inv = (double)length / outLength;
        if (method == "area")
        {
            for (int i = 0; i < outLength; i++)
            {
                double lo = i * inv, hi = (i + 1) * inv;
                for (int j = (int)Math.Floor(lo); j < Math.Min(length, (int)Math.Ceiling(hi)); j++)
                    w[i, start + j] = Math.Max(0, Math.Min(hi, j + 1) - Math.Max(lo, j)) / inv;
            }
            return w;
        }
        double kernelRadius = method switch { "bicubic" => 2, "lanczos3" => 3, "lanczos5" => 5, _ => 1 };
        double widen = antialias ? Math.Max(inv, 1) : 1;
        double radius = kernelRadius * widen;
        for (int i = 0; i < outLength; i++)
        {
            double centre = (i + 0.5) * inv, sum = 0;
            int first = Math.Max(0, (int)Math.Floor(centre - radius)), last = Math.Min(length - 1, (int)Math.Ceiling(centre + radius));
            for (int j = first; j <= last; j++)
                sum += w[i, start + j] = Kernel(method, kernelRadius, (j + 0.5 - centre) / widen);
            for (int j = first; j <= last; j++) w[i, start + j] /= sum;
        }
        return w;
    }

    // The triangle (bilinear), Keys' cubic convolution kernel with a = -0.5 (TF's bicubic), or TF's Lanczos
    // kernel r sin(pi x) sin(pi x / r) / (pi x)^2 on |x| <= r (sampling_kernels.h; 1 near 0, where it is 0/0).
    private static double Kernel(string method, double radius, double x)
    {
        x = Math.Abs(x);
        if (method.StartsWith("lanczos", StringComparison.Ordinal))
            return x > radius ? 0 : x <= 1e-3 ? 1 : radius * Math.Sin(Math.PI * x) * Math.Sin(Math.PI * x / radius) / (Math.PI * Math.PI * x * x);
        bool cubic = method == "bicubic";
        if (!cubic) return Math.Max(0, 1 - x);
        const double a = -0.5;
        return x < 1 ? ((a + 2) * x - (a + 3)) * x * x + 1
            : x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
            : 0;
    }

    /// <summary>
    /// Source indices of "nearest" (TF's resize_nearest_neighbor with half-pixel centres): output i
    /// reads floor((i + 0.5) * length / outLength), computed in float32 as TF does, clamped to the
    /// window. This is PyTorch's "nearest-exact", not its "nearest" (which reads floor(i * scale)).
    /// </summary>
    public static int[] NearestIndices(int start, int length, int outLength)
    {
        var index = new int[outLength];
        float scale = (float)length / outLength;
        for (int i = 0; i < outLength; i++)
            index[i] = start + Math.Clamp((int)MathF.Floor((i + 0.5f) * scale), 0, length - 1);
        return index;
    }

    /// <summary>
    /// The largest centred window of a height x width image with the target's aspect ratio
    /// (Keras' crop_to_aspect_ratio; the inference crop of RandomCrop): (top, left, rows, columns).
    /// </summary>
    public static (int Top, int Left, int Rows, int Columns) AspectWindow(int height, int width, int targetHeight, int targetWidth)
    {
        int rows = Math.Clamp((int)((double)width * targetHeight / targetWidth), 1, height);
        int columns = Math.Clamp((int)((double)height * targetWidth / targetHeight), 1, width);
        return ((height - rows) / 2, (width - columns) / 2, rows, columns);
    }
}
