namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// <paramref name="images"/> in either layout as an NHWC batch [N, H, W, C]: Keras' data_format
        /// ("channels_last" or "channels_first"), one image [H, W, C] (or [C, H, W]) expanded to a batch
        /// of one. <see cref="Restore"/> undoes both, so every op computes on NHWC batches only.
        /// </summary>
        internal static Tensor Batch(string op, Tensor images, string dataFormat, out bool single, out bool channelsFirst)
        {
            ArgumentNullException.ThrowIfNull(images);
            channelsFirst = ChannelsFirst(op, dataFormat);
            if (images.Rank is not (3 or 4)) CheckImages(op, images); // throws, naming the rank
            single = images.Rank == 3;
            var x = single ? ExpandDims(images, 0) : images;
            if (channelsFirst) x = ToNhwc(x);
            CheckImages(op, x);
            return x;
        }

        /// <summary>An NHWC batch back in the caller's layout and rank (the inverse of <see cref="Batch"/>).</summary>
        internal static Tensor Restore(Tensor y, bool single, bool channelsFirst)
        {
            if (channelsFirst) y = FromNhwc(y);
            return single ? Squeeze(y, 0) : y;
        }

        // The channel check of the colour ops: the op names how many channels it reads.
        private static void CheckChannels(string op, Tensor nhwc, params int[] allowed)
        {
            if (!allowed.Contains(nhwc.Shape[3]))
                throw new ArgumentException($"{op}: images must have {string.Join(" or ", allowed)} channels ({(allowed.Contains(1) ? "grayscale or " : "")}RGB), got {nhwc.Shape[3]} (NHWC shape {nhwc.Shape}).", "images");
        }

        // Keras and TF refuse integer images for the HSV conversions (hue and saturation are fractions).
        private static void CheckFloat(string op, Tensor images)
        {
            if (images.DType is not (DType.Float32 or DType.Float64))
                throw new ArgumentException($"{op}: images must be float32 or float64, got {images.DType.Name()}; cast them first (HSV values are fractions).", nameof(images));
        }

        /// <summary>
        /// Luma of RGB images (<c>keras.ops.image.rgb_to_grayscale</c>, <c>tf.image.rgb_to_grayscale</c>):
        /// 0.2989 R + 0.5870 G + 0.1140 B, one channel, in the images' dtype (integers truncated, as
        /// Keras' astype); a one-channel image is returned as it is.
        /// </summary>
        /// <exception cref="ArgumentException">The rank, the layout or the channel count (1 or 3) is wrong.</exception>
        public static Tensor RgbToGrayscale(Tensor images, string dataFormat = "channels_last")
        {
            const string op = "Image.RgbToGrayscale";
            var x = Batch(op, images, dataFormat, out bool single, out bool channelsFirst);
            CheckChannels(op, x, 1, 3);
            if (x.Shape[3] == 1) return images;
            var f = AsFloat(x);
            var gray = Luma(f);
            if (gray.DType != images.DType) gray = Cast(gray, images.DType);
            return Restore(gray, single, channelsFirst);
        }

        // [N, H, W, 3] float RGB to [N, H, W, 1] luma with TF's weights.
        private static Tensor Luma(Tensor rgb)
        {
            Tensor weights;
            using (UseBackend(rgb.Backend)) weights = Cast(Constant(new[] { 0.2989, 0.5870, 0.1140 }, new Shape(3, 1)), rgb.DType);
            return Einsum("nhwc,cd->nhwd", rgb, weights);
        }

        /// <summary>
        /// RGB to HSV (<c>keras.ops.image.rgb_to_hsv</c>, <c>tf.image.rgb_to_hsv</c>): value = max, saturation
        /// = (max - min) / max, hue in [0, 1) (sixths of the circle from red); 0 where undefined (grey
        /// pixels, black). Values below the dtype's epsilon in magnitude count as 0, as Keras' dm_pix rule.
        /// </summary>
        /// <exception cref="ArgumentException">The images are not float, or have not 3 channels.</exception>
        public static Tensor RgbToHsv(Tensor images, string dataFormat = "channels_last") => OnColour("Image.RgbToHsv", images, dataFormat, Hsv);

        /// <summary>HSV to RGB (<c>keras.ops.image.hsv_to_rgb</c>, <c>tf.image.hsv_to_rgb</c>), the inverse of <see cref="RgbToHsv"/>; hue is read modulo 1.</summary>
        /// <exception cref="ArgumentException">The images are not float, or have not 3 channels.</exception>
        public static Tensor HsvToRgb(Tensor images, string dataFormat = "channels_last") => OnColour("Image.HsvToRgb", images, dataFormat, Rgb);

        // `f` applied to float three-channel images as an NHWC batch, the result in the caller's layout.
        private static Tensor OnColour(string op, Tensor images, string dataFormat, Func<Tensor, Tensor> f)
        {
            var x = Batch(op, images, dataFormat, out bool single, out bool channelsFirst);
            CheckFloat(op, x);
            CheckChannels(op, x, 3);
            return Restore(f(x), single, channelsFirst);
        }

        // NHWC float RGB -> HSV (dm_pix's planes, which Keras' backends share).
        private static Tensor Hsv(Tensor rgb)
        {
            double eps = rgb.DType == DType.Float64 ? Math.BitIncrement(1.0) - 1 : MathF.BitIncrement(1f) - 1f; // machine epsilon
            rgb = Where(Abs(rgb) < eps, ZerosLike(rgb), rgb);
            var planes = Split(rgb, 3, 3);
            Tensor r = planes[0], g = planes[1], b = planes[2];
            var value = Maximum(Maximum(r, g), b);
            var range = value - Minimum(Minimum(r, g), b);
            var saturation = Where(value > 0.0, range / Where(value > 0.0, value, OnesLike(value)), ZerosLike(value));
            var norm = 1.0 / (6.0 * Where(range > 0.0, range, OnesLike(range)));
            var hue = Where(Equal(value, g), norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0);
            hue = Where(Equal(value, r), norm * (g - b), hue);
            hue = Where(range > 0.0, hue, ZerosLike(hue));
            hue = Where(hue < 0.0, hue + 1.0, hue);
            return Concat([hue, saturation, value], 3);
        }

        // NHWC float HSV -> RGB.
        private static Tensor Rgb(Tensor hsv)
        {
            var planes = Split(hsv, 3, 3);
            Tensor hue = planes[0], saturation = planes[1], value = planes[2];
            var dh = (hue - Floor(hue)) * 6.0;
            var dr = Clip(Abs(dh - 3.0) - 1.0, 0.0, 1.0);
            var dg = Clip(2.0 - Abs(dh - 2.0), 0.0, 1.0);
            var db = Clip(2.0 - Abs(dh - 4.0), 0.0, 1.0);
            var grey = 1.0 - saturation;
            return Concat([value * (grey + saturation * dr), value * (grey + saturation * dg), value * (grey + saturation * db)], 3);
        }

        /// <summary>
        /// Adds <paramref name="delta"/> to every value (<c>tf.image.adjust_brightness</c>); integer images (uint8) are
        /// adjusted on [0, 1] as TF does (ConvertImageDtype to float32 and back, saturated) and keep their dtype.
        /// </summary>
        public static Tensor AdjustBrightness(Tensor images, double delta)
        {
            const string op = "Image.AdjustBrightness";
            ArgumentNullException.ThrowIfNull(images);
            CheckImages(op, images);
            CheckFinite(op, nameof(delta), delta);
            return InImageFloat(images, x => x + delta);
        }

        /// <summary>
        /// (x - mean) * <paramref name="factor"/> + mean with the mean of each image and channel over its
        /// pixels (<c>tf.image.adjust_contrast</c>); integer images are adjusted on [0, 1] and keep their dtype, as in TF.
        /// </summary>
        public static Tensor AdjustContrast(Tensor images, double factor)
        {
            const string op = "Image.AdjustContrast";
            ArgumentNullException.ThrowIfNull(images);
            CheckImages(op, images);
            CheckFinite(op, nameof(factor), factor);
            return InImageFloat(images, x =>
            {
                var mean = ReduceMean(x, [x.Rank - 3, x.Rank - 2], keepDims: true);
                return (x - mean) * factor + mean;
            });
        }

        /// <summary>
        /// Multiplies the HSV saturation by <paramref name="factor"/> (at least 0) and clips it to [0, 1]
        /// (<c>tf.image.adjust_saturation</c>): 0 gives grey, 1 the image, more deeper colours.
        /// </summary>
        /// <exception cref="ArgumentException">The images are not float RGB, or the factor is negative.</exception>
        public static Tensor AdjustSaturation(Tensor images, double factor)
        {
            const string op = "Image.AdjustSaturation";
            if (!(factor >= 0) || !double.IsFinite(factor))
                throw new ArgumentOutOfRangeException(nameof(factor), factor, $"{op}: factor must be a finite number in [0, inf).");
            return ScaleSaturation(op, images, factor);
        }

        // The saturation of NHWC (or one HWC) float RGB images times `factor` (a number or [N, 1, 1, 1] draws), clipped to [0, 1].
        internal static Tensor ScaleSaturation(string op, Tensor images, Tensor factor) =>
            InHsv(op, images, (h, s, v) => (h, Clip(s * factor, 0.0, 1.0), v));

        // NHWC (or one HWC) float RGB images converted to HSV planes [N, H, W, 1], changed, and converted back.
        private static Tensor InHsv(string op, Tensor images, Func<Tensor, Tensor, Tensor, (Tensor H, Tensor S, Tensor V)> change) =>
            OnColour(op, images, "channels_last", x =>
            {
                var planes = Split(Hsv(x), 3, 3);
                var (h, s, v) = change(planes[0], planes[1], planes[2]);
                return Rgb(Concat([h, s, v], 3));
            });

        /// <summary>
        /// Rotates the HSV hue by <paramref name="delta"/> in [-1, 1] (a full turn is 1) and converts back
        /// (<c>tf.image.adjust_hue</c>).
        /// </summary>
        /// <exception cref="ArgumentException">The images are not float RGB, or delta is outside [-1, 1].</exception>
        public static Tensor AdjustHue(Tensor images, double delta)
        {
            const string op = "Image.AdjustHue";
            if (!(delta >= -1 && delta <= 1))
                throw new ArgumentOutOfRangeException(nameof(delta), delta, $"{op}: delta must lie in [-1, 1].");
            return RotateHue(op, images, delta);
        }

        // The hue of NHWC (or one HWC) float RGB images plus `delta` (a number or [N, 1, 1, 1] draws), modulo 1.
        internal static Tensor RotateHue(string op, Tensor images, Tensor delta) =>
            InHsv(op, images, (h, s, v) => (h + delta - Floor(h + delta), s, v));

        /// <summary>
        /// <paramref name="gain"/> * x^<paramref name="gamma"/> (<c>tf.image.adjust_gamma</c>, gamma correction);
        /// integer images are adjusted on [0, 1] and keep their dtype, as in TF.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">gamma is negative (TF's "Gamma should be a non-negative real number").</exception>
        public static Tensor AdjustGamma(Tensor images, double gamma = 1, double gain = 1)
        {
            const string op = "Image.AdjustGamma";
            ArgumentNullException.ThrowIfNull(images);
            CheckImages(op, images);
            if (!(gamma >= 0) || !double.IsFinite(gamma))
                throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"{op}: gamma must be a finite non-negative number.");
            CheckFinite(op, nameof(gain), gain);
            return InImageFloat(images, x => Pow(x, gamma) * gain);
        }

        /// <summary>
        /// Scales each image to mean 0 and variance 1 over all its values (<c>tf.image.per_image_standardization</c>):
        /// (x - mean) / max(stddev, 1 / sqrt(H * W * C)), the floor guarding uniform images.
        /// </summary>
        public static Tensor PerImageStandardization(Tensor images)
        {
            const string op = "Image.PerImageStandardization";
            ArgumentNullException.ThrowIfNull(images);
            CheckImages(op, images);
            var x = AsFloat(images);
            int[] axes = [x.Rank - 3, x.Rank - 2, x.Rank - 1];
            long count = (long)x.Shape[x.Rank - 3] * x.Shape[x.Rank - 2] * x.Shape[x.Rank - 1];
            var mean = ReduceMean(x, axes, keepDims: true);
            var std = Sqrt(ReduceMean(Square(x - mean), axes, keepDims: true));
            return (x - mean) / Maximum(std, 1 / Math.Sqrt(count));
        }

        private static void CheckFinite(string op, string argument, double value)
        {
            if (!double.IsFinite(value))
                throw new ArgumentOutOfRangeException(argument, value, $"{op}: {argument} must be a finite number.");
        }
    }
}
