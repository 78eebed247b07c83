namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>Mirrors each image left to right, reversing its columns (<c>tf.image.flip_left_right</c>).</summary>
        public static Tensor FlipLeftRight(Tensor images)
        {
            ArgumentNullException.ThrowIfNull(images);
            CheckImages("Image.FlipLeftRight", images);
            return Reverse(images, images.Rank - 2);
        }

        /// <summary>Mirrors each image upside down, reversing its rows (<c>tf.image.flip_up_down</c>).</summary>
        public static Tensor FlipUpDown(Tensor images)
        {
            ArgumentNullException.ThrowIfNull(images);
            CheckImages("Image.FlipUpDown", images);
            return Reverse(images, images.Rank - 3);
        }

        /// <summary>
        /// The centred <paramref name="fraction"/> (in (0, 1]) of each image along both axes
        /// (<c>tf.image.central_crop</c>): TF's start int((n - n * fraction) / 2) in float64 and size
        /// n - 2 * start, so an odd margin keeps the extra pixel.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1].</exception>
        public static Tensor CentralCrop(Tensor images, double fraction)
        {
            const string op = "Image.CentralCrop";
            ArgumentNullException.ThrowIfNull(images);
            CheckImages(op, images);
            if (!(fraction > 0 && fraction <= 1))
                throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"{op}: fraction must lie in (0, 1].");
            int h = images.Shape[images.Rank - 3], w = images.Shape[images.Rank - 2];
            int top = (int)((h - h * fraction) / 2), left = (int)((w - w * fraction) / 2);
            return CropImages(images, top, left, top, left);
        }

        /// <summary>
        /// Turns each image a quarter turn counter-clockwise <paramref name="k"/> times (<c>tf.image.rot90</c>;
        /// negative k turns clockwise): [H, W, C] or [N, H, W, C], an H x W image becoming W x H for odd k.
        /// </summary>
        public static Tensor Rot90(Tensor images, int k = 1)
        {
            ArgumentNullException.ThrowIfNull(images);
            CheckImages("Image.Rot90", images);
            return NF.Rot90(images, k, (images.Rank - 3, images.Rank - 2));
        }

        /// <summary>
        /// Crops or pads each image about its centre to <paramref name="targetHeight"/> x <paramref name="targetWidth"/>
        /// (<c>tf.image.resize_with_crop_or_pad</c>): a longer side loses (n - target) / 2 pixels (floored) at its
        /// start and the rest at its end; a shorter one gets (target - n) / 2 zeros (floored) before and the rest after.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">A target size is below 1.</exception>
        public static Tensor ResizeWithCropOrPad(Tensor images, int targetHeight, int targetWidth)
        {
            const string op = "Image.ResizeWithCropOrPad";
            var x = Batch(op, images, "channels_last", out bool single, out _);
            if (targetHeight < 1) throw new ArgumentOutOfRangeException(nameof(targetHeight), targetHeight, $"{op}: targetHeight must be at least 1.");
            if (targetWidth < 1) throw new ArgumentOutOfRangeException(nameof(targetWidth), targetWidth, $"{op}: targetWidth must be at least 1.");
            int h = x.Shape[1], w = x.Shape[2];
            int keptH = Math.Min(h, targetHeight), keptW = Math.Min(w, targetWidth);
            var cropped = Slice(x, [0, Math.Max(h - targetHeight, 0) / 2, Math.Max(w - targetWidth, 0) / 2, 0], [-1, keptH, keptW, -1]);
            int top = Math.Max(targetHeight - h, 0) / 2, left = Math.Max(targetWidth - w, 0) / 2;
            var framed = Pad(cropped, new[,] { { 0, 0 }, { top, targetHeight - keptH - top }, { left, targetWidth - keptW - left }, { 0, 0 } });
            return Restore(framed, single, false);
        }

        /// <summary>
        /// Resizes each image to fit inside <paramref name="targetHeight"/> x <paramref name="targetWidth"/> without
        /// distortion and centres it on zeros (<c>tf.image.resize_with_pad</c>): the scale is the larger of the two
        /// shrink ratios, the fitted size is floored, and the floor of half the slack goes above and left, all in
        /// float32 arithmetic as TensorFlow computes them (a side that would shrink below one pixel keeps one). <paramref name="method"/> and <paramref name="antialias"/>
        /// are <see cref="Resize"/>'s; the result is float32 for integer images, as Resize's.
        /// </summary>
        /// <exception cref="ArgumentException">images is not rank 3 or 4, a target size is below 1, or the method is unknown.</exception>
        public static Tensor ResizeWithPad(Tensor images, int targetHeight, int targetWidth, string method = "bilinear", bool antialias = false)
        {
            const string op = "Image.ResizeWithPad";
            ArgumentNullException.ThrowIfNull(images);
            if (images.Rank is not (3 or 4))
                throw new ArgumentException($"{op}: images must be [H, W, C] or [N, H, W, C], got shape {images.Shape}.", nameof(images));
            if (targetHeight < 1) throw new ArgumentOutOfRangeException(nameof(targetHeight), targetHeight, $"{op}: targetHeight must be at least 1.");
            if (targetWidth < 1) throw new ArgumentOutOfRangeException(nameof(targetWidth), targetWidth, $"{op}: targetWidth must be at least 1.");
            float h = images.Shape[images.Rank - 3], w = images.Shape[images.Rank - 2];
            float ratio = MathF.Max(w / targetWidth, h / targetHeight);
            float fittedHeight = h / ratio, fittedWidth = w / ratio;
            // At least one pixel each way: TensorFlow would ask its resize for a zero size and fail there.
            int rows = Math.Max(1, (int)MathF.Floor(fittedHeight)), columns = Math.Max(1, (int)MathF.Floor(fittedWidth));
            int top = Math.Max(0, (int)MathF.Floor((targetHeight - fittedHeight) / 2)), left = Math.Max(0, (int)MathF.Floor((targetWidth - fittedWidth) / 2));
            var resized = Resize(images, rows, columns, method, antialias);
            return PadImages(resized, top, left, targetHeight - rows - top, targetWidth - columns - left);
        }

        /// <summary>
        /// Pads each image with zeros: <paramref name="top"/> rows above, <paramref name="bottom"/> below,
        /// <paramref name="left"/> and <paramref name="right"/> columns beside (<c>keras.ops.image.pad_images</c>
        /// with its four paddings; <c>tf.image.pad_to_bounding_box</c>'s offsets are top and left).
        /// </summary>
        /// <exception cref="ArgumentException">A padding is negative, or the rank or layout is wrong.</exception>
        public static Tensor PadImages(Tensor images, int top, int left, int bottom, int right, string dataFormat = "channels_last")
        {
            const string op = "Image.PadImages";
            var x = Batch(op, images, dataFormat, out bool single, out bool channelsFirst);
            CheckSides(op, "padding", top, left, bottom, right);
            return Restore(Pad(x, new[,] { { 0, 0 }, { top, bottom }, { left, right }, { 0, 0 } }), single, channelsFirst);
        }

        /// <summary>
        /// Removes <paramref name="top"/> rows above, <paramref name="bottom"/> below, <paramref name="left"/>
        /// and <paramref name="right"/> columns beside each image (<c>keras.ops.image.crop_images</c> with its
        /// four croppings; <c>tf.image.crop_to_bounding_box</c>'s offsets are top and left). A view.
        /// </summary>
        /// <exception cref="ArgumentException">A cropping is negative or leaves no pixel, or the rank or layout is wrong.</exception>
        public static Tensor CropImages(Tensor images, int top, int left, int bottom, int right, string dataFormat = "channels_last")
        {
            const string op = "Image.CropImages";
            var x = Batch(op, images, dataFormat, out bool single, out bool channelsFirst);
            CheckSides(op, "cropping", top, left, bottom, right);
            int h = x.Shape[1], w = x.Shape[2];
            if ((long)top + bottom >= h || (long)left + right >= w)
                throw new ArgumentException($"{op}: cropping ({top}, {bottom}) rows and ({left}, {right}) columns leaves nothing of a {h} x {w} image.", nameof(images));
            return Restore(Slice(x, [0, top, left, 0], [-1, h - top - bottom, w - left - right, -1]), single, channelsFirst);
        }

        private static void CheckSides(string op, string what, int top, int left, int bottom, int right)
        {
            if (top < 0 || left < 0 || bottom < 0 || right < 0)
                throw new ArgumentOutOfRangeException(what, $"{op}: every {what} must be at least 0, got top {top}, left {left}, bottom {bottom}, right {right}.");
        }

        /// <summary>
        /// Patches of <paramref name="size"/> (height, width) pixels taken every <paramref name="strides"/>
        /// (default: the size, so non-overlapping) with <paramref name="dilation"/> between taps, "valid" or
        /// "same" <paramref name="padding"/> (<c>keras.ops.image.extract_patches</c>, <c>tf.image.extract_patches</c>):
        /// [N, OH, OW, PH * PW * C], each patch flattened row by row, channels innermost, in the images' dtype.
        /// The taps are copied (one strided slice per tap, stacked), not summed through an identity convolution, so a
        /// NaN or infinity stays in its own entries and a large patch needs no (PH * PW * C)² kernel; differentiable.
        /// </summary>
        /// <exception cref="ArgumentException">A size, stride or dilation is below 1, the padding or layout is unknown, or with "valid" padding no patch fits in the images.</exception>
        public static Tensor ExtractPatches(Tensor images, (int Height, int Width) size, (int Height, int Width)? strides = null, int dilation = 1,
                                            string padding = "valid", string dataFormat = "channels_last")
        {
            const string op = "Image.ExtractPatches";
            var x = Batch(op, images, dataFormat, out bool single, out bool channelsFirst);
            var step = strides ?? size;
            if (size.Height < 1 || size.Width < 1)
                throw new ArgumentOutOfRangeException(nameof(size), size, $"{op}: the patch size must be at least 1 x 1, got {size.Height} x {size.Width}.");
            if (step.Height < 1 || step.Width < 1)
                throw new ArgumentOutOfRangeException(nameof(strides), step, $"{op}: strides must be at least 1, got ({step.Height}, {step.Width}).");
            if (dilation < 1)
                throw new ArgumentOutOfRangeException(nameof(dilation), dilation, $"{op}: dilation must be at least 1.");
            int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape[3], depth = checked(size.Height * size.Width * c);
            // A patch is a convolution's window: the same output sizes, "same" padding and refusals (WindowFor).
            var (window, oh, ow) = WindowFor(op, x.Shape, size.Height, size.Width, [step.Height, step.Width], padding, [dilation, dilation]);
            int top = window.PadTop, left = window.PadLeft;
            // Rows the last patch reaches past the image (its "same" padding after), none for "valid".
            int bottom = Math.Max(0, (oh - 1) * step.Height + (size.Height - 1) * dilation + 1 - h - top);
            int right = Math.Max(0, (ow - 1) * step.Width + (size.Width - 1) * dilation + 1 - w - left);
            if (oh == 0 || ow == 0)
            {
                using (UseBackend(x.Backend)) return Restore(Zeros([n, oh, ow, depth], x.DType), single, channelsFirst);
            }
            if (top + bottom + left + right > 0) x = Pad(x, new[,] { { 0, 0 }, { top, bottom }, { left, right }, { 0, 0 } });
            var taps = new Tensor[size.Height * size.Width];
            for (int i = 0; i < size.Height; i++)
                for (int j = 0; j < size.Width; j++)
                {
                    int r = i * dilation, q = j * dilation;
                    // Axes 0 and 3 whole (begin and end masks); rows r, r + stride, ... for OH rows, columns likewise.
                    taps[i * size.Width + j] = StridedSlice(x, [0, r, q, 0], [0, r + (oh - 1) * step.Height + 1, q + (ow - 1) * step.Width + 1, 0],
                                                            [1, step.Height, step.Width, 1], beginMask: 0b1001, endMask: 0b1001);
                }
            var patches = Reshape(Stack(taps, axis: 3), [n, oh, ow, depth]);
            return Restore(patches, single, channelsFirst);
        }
    }
}
