namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// Blurs each channel with a normalised Gaussian of <paramref name="kernelSize"/> (height, width) taps
        /// and standard deviations <paramref name="sigma"/> (height, width), zeros outside the image
        /// ("same" padding, the extra tap of an even size after) — <c>keras.ops.image.gaussian_blur</c>.
        /// Keras' backends disagree on which entry of a non-square size is the height; this one reads
        /// (height, width) for both, which every backend agrees with for square sizes. Integer images are
        /// computed as float32.
        /// </summary>
        /// <exception cref="ArgumentException">A size is below 1, a sigma is not positive, or the layout is unknown.</exception>
        public static Tensor GaussianBlur(Tensor images, (int Height, int Width)? kernelSize = null, (double Height, double Width)? sigma = null,
                                          string dataFormat = "channels_last")
        {
            const string op = "Image.GaussianBlur";
            var x = AsFloat(Batch(op, images, dataFormat, out bool single, out bool channelsFirst));
            var (kh, kw) = kernelSize ?? (3, 3);
            var (sh, sw) = sigma ?? (1.0, 1.0);
            if (kh < 1 || kw < 1)
                throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"{op}: the kernel size must be at least 1 x 1, got {kh} x {kw}.");
            if (!(sh > 0) || !(sw > 0) || !double.IsFinite(sh) || !double.IsFinite(sw))
                throw new ArgumentOutOfRangeException(nameof(sigma), sigma, $"{op}: sigma must be two finite positive numbers, got ({sh}, {sw}).");
            // The depthwise kernel holds kh x kw taps per channel on the host: refuse sizes past one array
            // (they wrapped int arithmetic, or ran the runtime out of array space) before building it.
            if ((long)kh * kw * x.Shape[3] > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize,
                    $"{op}: a {kh} x {kw} kernel over {x.Shape[3]} channels has {(long)kh * kw * x.Shape[3]} taps, more than one tensor holds.");
            var y = Filter(x, GaussianTaps(kh, sh, kw, sw));
            return Restore(y, single, channelsFirst);
        }

        /// <summary>The normalised 1-D Gaussian of `size` taps centred on the middle (Keras' and TF's _fspecial_gauss rows).</summary>
        internal static double[] Gaussian(int size, double sigma)
        {
            var g = new double[size];
            for (int i = 0; i < size; i++)
            {
                double t = (i - (size - 1) / 2.0) / sigma;
                g[i] = Math.Exp(-0.5 * t * t);
            }
            double sum = g.Sum();
            return g.Select(v => v / sum).ToArray();
        }

        // The separable 2-D Gaussian's taps [KH, KW].
        private static double[,] GaussianTaps(int kh, double sh, int kw, double sw)
        {
            double[] rows = Gaussian(kh, sh), columns = Gaussian(kw, sw);
            var taps = new double[kh, kw];
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                    taps[i, j] = rows[i] * columns[j];
            return taps;
        }

        /// <summary>
        /// Every channel of an NHWC float batch correlated with the same 2-D <paramref name="taps"/> (a
        /// depthwise convolution with zeros outside the image for "same"): the blurs and sharpening.
        /// </summary>
        internal static Tensor Filter(Tensor nhwc, double[,] taps, string padding = "same")
        {
            int kh = taps.GetLength(0), kw = taps.GetLength(1), c = nhwc.Shape[3];
            var k = new double[kh * kw * c];
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                    for (int ch = 0; ch < c; ch++)
                        k[(i * kw + j) * c + ch] = taps[i, j];
            Tensor kernel;
            using (UseBackend(nhwc.Backend)) kernel = Cast(Constant(k, new Shape(kh, kw, c, 1)), nhwc.DType);
            return DepthwiseConv2D(nhwc, kernel, padding: padding);
        }

        /// <summary>
        /// Sobel gradients of each channel (<c>tf.image.sobel_edges</c>): [N, H, W, C, 2] (channels_first:
        /// [N, C, H, W, 2]), [..., 0] the vertical derivative dy (next row minus previous, weighted 1 2 1),
        /// [..., 1] the horizontal dx; the border is read mirrored without the edge (TF's "REFLECT" pad),
        /// so each side must have at least 2 pixels. Keras' numpy backend mirrors with the edge
        /// (scipy's "reflect"), which differs on the border pixels only.
        /// </summary>
        /// <exception cref="ArgumentException">An image is narrower than 2 pixels, or the rank or layout is wrong.</exception>
        public static Tensor SobelEdges(Tensor images, string dataFormat = "channels_last")
        {
            const string op = "Image.SobelEdges";
            var x = AsFloat(Batch(op, images, dataFormat, out bool single, out bool channelsFirst));
            int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape[3];
            if (h < 2 || w < 2)
                throw new ArgumentException($"{op}: images must be at least 2 x 2 pixels (the border is mirrored), got {h} x {w}.", nameof(images));
            double[] dy = [-1, -2, -1, 0, 0, 0, 1, 2, 1], dx = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
            var k = new double[9 * c * 2];
            for (int t = 0; t < 9; t++)
                for (int ch = 0; ch < c; ch++)
                    (k[(t * c + ch) * 2], k[(t * c + ch) * 2 + 1]) = (dy[t], dx[t]);
            Tensor kernel;
            using (UseBackend(x.Backend)) kernel = Cast(Constant(k, new Shape(3, 3, c, 2)), x.DType);
            var padded = Pad(x, new[,] { { 0, 0 }, { 1, 1 }, { 1, 1 }, { 0, 0 } }, "reflect");
            var y = Reshape(DepthwiseConv2D(padded, kernel), [n, h, w, c, 2]);
            if (channelsFirst) y = Transpose(y, [0, 3, 1, 2, 4]);
            return single ? Squeeze(y, 0) : y;
        }

        /// <summary>
        /// The total variation of each image (<c>tf.image.total_variation</c>): the sum of the absolute
        /// differences of vertically and horizontally neighbouring values, over all channels; [N] for a
        /// batch, a scalar for one image.
        /// </summary>
        public static Tensor TotalVariation(Tensor images)
        {
            const string op = "Image.TotalVariation";
            var x = AsFloat(Batch(op, images, "channels_last", out bool single, out _));
            int h = x.Shape[1], w = x.Shape[2];
            var rows = Abs(Slice(x, [0, 1, 0, 0], [-1, h - 1, -1, -1]) - Slice(x, [0, 0, 0, 0], [-1, h - 1, -1, -1]));
            var columns = Abs(Slice(x, [0, 0, 1, 0], [-1, -1, w - 1, -1]) - Slice(x, [0, 0, 0, 0], [-1, -1, w - 1, -1]));
            var tv = ReduceSum(rows, [1, 2, 3]) + ReduceSum(columns, [1, 2, 3]);
            return single ? Squeeze(tv, 0) : tv;
        }

        /// <summary>
        /// Peak signal-to-noise ratio of each pair of images (<c>tf.image.psnr</c>): 20 log10(maxVal) -
        /// 10 log10(mean squared difference); [N] for batches, a scalar for single images; +inf for equal images.
        /// </summary>
        /// <exception cref="ArgumentException">The shapes differ, or maxVal is not positive.</exception>
        public static Tensor Psnr(Tensor a, Tensor b, double maxVal)
        {
            const string op = "Image.Psnr";
            var (x, y, single) = Pair(op, a, b, maxVal);
            var mse = ReduceMean(Square(x - y), [1, 2, 3]);
            var psnr = 20 * Math.Log10(maxVal) - Log(mse) * (10 / Math.Log(10));
            return single ? Squeeze(psnr, 0) : psnr;
        }

        /// <summary>
        /// Structural similarity of each pair of images (<c>tf.image.ssim</c>): luminance x contrast-structure
        /// from local statistics under a <paramref name="filterSize"/>² Gaussian window of
        /// <paramref name="filterSigma"/> ("valid": every window inside the image), c1 = (k1 maxVal)²,
        /// c2 = (k2 maxVal)², averaged over the windows and channels; [N] for batches, a scalar for single images.
        /// </summary>
        /// <exception cref="ArgumentException">The shapes differ, an image is smaller than the filter, or an argument is out of range.</exception>
        public static Tensor Ssim(Tensor a, Tensor b, double maxVal, int filterSize = 11, double filterSigma = 1.5, double k1 = 0.01, double k2 = 0.03)
        {
            const string op = "Image.Ssim";
            var (x, y, single) = Pair(op, a, b, maxVal);
            if (filterSize < 1)
                throw new ArgumentOutOfRangeException(nameof(filterSize), filterSize, $"{op}: filterSize must be at least 1.");
            if (!(filterSigma > 0) || !double.IsFinite(filterSigma))
                throw new ArgumentOutOfRangeException(nameof(filterSigma), filterSigma, $"{op}: filterSigma must be a finite positive number.");
            if (x.Shape[1] < filterSize || x.Shape[2] < filterSize)
                throw new ArgumentException($"{op}: images of {x.Shape[1]} x {x.Shape[2]} pixels are smaller than the {filterSize} x {filterSize} filter (TF requires them at least as large).", nameof(a));
            double c1 = k1 * maxVal * (k1 * maxVal), c2 = k2 * maxVal * (k2 * maxVal);
            var window = GaussianTaps(filterSize, filterSigma, filterSize, filterSigma);
            Tensor Local(Tensor t) => Filter(t, window, "valid");
            Tensor muX = Local(x), muY = Local(y);
            var num0 = muX * muY * 2.0;
            var den0 = Square(muX) + Square(muY);
            var luminance = (num0 + c1) / (den0 + c1);
            var cs = (Local(x * y) * 2.0 - num0 + c2) / (Local(Square(x) + Square(y)) - den0 + c2);
            var ssim = ReduceMean(luminance * cs, [1, 2, 3]);
            return single ? Squeeze(ssim, 0) : ssim;
        }

        // The two image arguments of a similarity: same shape, NHWC batches, float; maxVal positive.
        private static (Tensor X, Tensor Y, bool Single) Pair(string op, Tensor a, Tensor b, double maxVal)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            if (a.Shape != b.Shape)
                throw new ArgumentException($"{op}: both images must have the same shape, got {a.Shape} and {b.Shape}.", nameof(b));
            if (!(maxVal > 0) || !double.IsFinite(maxVal))
                throw new ArgumentOutOfRangeException(nameof(maxVal), maxVal, $"{op}: maxVal (the dynamic range) must be a finite positive number.");
            var x = AsFloat(Batch(op, a, "channels_last", out bool single, out _));
            var y = AsFloat(Batch(op, b, "channels_last", out _, out _));
            if (x.DType != y.DType) y = Cast(y, x.DType);
            return (x, y, single);
        }
    }
}
