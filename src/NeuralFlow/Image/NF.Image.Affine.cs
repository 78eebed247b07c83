namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>The fill modes of <see cref="AffineTransform"/>, as Keras' ops.image.affine_transform spells them.</summary>
        internal static readonly string[] FillModes = ["constant", "nearest", "wrap", "mirror", "reflect"];

        /// <summary>The fill mode's canonical name, or an exception that lists the known ones.</summary>
        internal static string FillMode(string op, string? mode) =>
            mode?.ToLowerInvariant() is { } m && FillModes.Contains(m) ? m
                : throw new ArgumentException($"{op}: fill mode \"{mode}\" is not supported; use one of {string.Join(", ", FillModes.Select(x => $"\"{x}\""))}.", "fillMode");

        /// <summary>The interpolation of a transform ("nearest" or "bilinear"), or an exception.</summary>
        internal static string TransformInterpolation(string op, string? interpolation) =>
            interpolation?.ToLowerInvariant() is "nearest" or "bilinear" ? interpolation.ToLowerInvariant()
                : throw new ArgumentException($"{op}: interpolation \"{interpolation}\" is not supported; use \"bilinear\" or \"nearest\".", nameof(interpolation));

        /// <summary>
        /// Applies projective transforms to NHWC images (Keras 3's <c>ops.image.affine_transform</c>,
        /// TF's ImageProjectiveTransformV3). A row [a0, a1, a2, b0, b1, b2, c0, c1] of
        /// <paramref name="transform"/> ([8], [1, 8] or [N, 8]) maps each output pixel (x, y), in pixel
        /// indices, to the input point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1,
        /// read with "bilinear" or "nearest" (round half up) <paramref name="interpolation"/>. Points outside
        /// the image are read through <paramref name="fillMode"/>, tap by tap as Keras' map_coordinates:
        /// "reflect" (d c b a | a b c d | d c b a), "mirror" (d c b | a b c d | c b a), "wrap"
        /// (a b c d | a b c d), "nearest" (a a | a b c d | d d) or "constant" (k k | a b c d | k k with
        /// k = <paramref name="fillValue"/>). Gradients reach the images (a gather's scatter-add), not the
        /// transform's integer parts.
        /// </summary>
        /// <exception cref="ArgumentException">A shape, the interpolation or the fill mode is wrong.</exception>
        public static Tensor AffineTransform(Tensor images, Tensor transform, string interpolation = "bilinear", string fillMode = "constant", double fillValue = 0)
        {
            ArgumentNullException.ThrowIfNull(images);
            ArgumentNullException.ThrowIfNull(transform);
            const string op = "Image.AffineTransform";
            CheckImages(op, images);
            interpolation = TransformInterpolation(op, interpolation);
            fillMode = FillMode(op, fillMode);
            if (!double.IsFinite(fillValue))
                throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, $"{op}: fillValue must be a finite number.");
            bool single = images.Rank == 3;
            var x = AsFloat(single ? ExpandDims(images, 0) : images);
            int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape[3];
            if (!(transform.Rank == 1 && transform.Shape[0] == 8 || transform.Rank == 2 && transform.Shape[1] == 8 && (transform.Shape[0] == 1 || transform.Shape[0] == n)))
                throw new ArgumentException($"{op}: transform must have shape [8], [1, 8] or [{n}, 8] (one row per image), got {transform.Shape}.", nameof(transform));
            if (transform.DType is not (DType.Float32 or DType.Float64))
                throw new ArgumentException($"{op}: transform must be float32 or float64, got {transform.DType.Name()}.", nameof(transform));
            Engine.BackendOf(op, x, transform);

            // Coordinates in float32 as TF computes them: [T, H*W] with T = 1 or N rows of transforms.
            var t = Cast(transform.Rank == 1 ? Reshape(transform, [1, 8]) : transform, DType.Float32);
            Tensor gx, gy, batchBase;
            using (UseBackend(x.Backend))
            {
                var cx = new float[h * w];
                var cy = new float[h * w];
                for (int i = 0; i < h * w; i++) (cx[i], cy[i]) = (i % w, i / w);
                gx = Constant(cx, new Shape(1, h * w));
                gy = Constant(cy, new Shape(1, h * w));
                batchBase = Constant(Enumerable.Range(0, n).Select(b => checked(b * h * w)).ToArray(), new Shape(n, 1));
            }
            Tensor Column(int k) => Slice(t, [0, k], [-1, 1]);
            var k = Column(6) * gx + Column(7) * gy + 1f;
            var sx = (Column(0) * gx + Column(1) * gy + Column(2)) / k;
            var sy = (Column(3) * gx + Column(4) * gy + Column(5)) / k;

            var flat = Reshape(x, [n * h * w, c]);
            // One tap: the pixel at integer coordinates (ix, iy) of each image, [N, H*W, C].
            Tensor Tap(Tensor ix, Tensor iy)
            {
                var index = batchBase + Cast(FillIndex(iy, h, fillMode), DType.Int32) * w + Cast(FillIndex(ix, w, fillMode), DType.Int32);
                var values = Gather(flat, index, 0);
                if (fillMode != "constant") return values;
                var inside = (ix >= 0f) & (ix <= (float)(w - 1)) & (iy >= 0f) & (iy <= (float)(h - 1));
                return Where(ExpandDims(inside, -1), values, fillValue);
            }
            Tensor y;
            if (interpolation == "nearest") y = Tap(Floor(sx + 0.5f), Floor(sy + 0.5f));
            else
            {
                Tensor x0 = Floor(sx), y0 = Floor(sy);
                var ax = ExpandDims(Cast(sx - x0, x.DType), -1);
                var ay = ExpandDims(Cast(sy - y0, x.DType), -1);
                Tensor x1 = x0 + 1f, y1 = y0 + 1f;
                y = (Tap(x0, y0) * (1f - ax) + Tap(x1, y0) * ax) * (1f - ay)
                    + (Tap(x0, y1) * (1f - ax) + Tap(x1, y1) * ax) * ay;
            }
            y = Reshape(y, [n, h, w, c]);
            return single ? Squeeze(y, 0) : y;
        }

        // An integer-valued float coordinate of an axis of the given length mapped into [0, length)
        // by the fill mode; "constant" clamps (its outside taps are replaced by the fill value).
        // The last clamp (and NaN to 0) keeps every gather in range whatever the transform holds:
        // float32 wrap arithmetic far outside the image, or a NaN or infinite transform, whose
        // outputs are then NaN through the weights rather than an index error.
        private static Tensor FillIndex(Tensor i, int length, string mode)
        {
            var mapped = Mapped(i, length, mode);
            return Clip(Where(IsFinite(mapped), mapped, 0f), 0f, (float)(length - 1));
        }

        private static Tensor Mapped(Tensor i, int length, string mode)
        {
            switch (mode)
            {
                case "wrap":
                    return i - length * Floor(i / (float)length);
                case "reflect":
                {
                    float period = 2f * length;
                    var m = i - period * Floor(i / period);
                    return Where(m >= (float)length, period - 1f - m, m);
                }
                case "mirror":
                {
                    if (length == 1) return ZerosLike(i);
                    float period = 2f * (length - 1);
                    var m = i - period * Floor(i / period);
                    return Where(m >= (float)length, period - m, m);
                }
                default:
                    return i;
            }
        }
    }
}
