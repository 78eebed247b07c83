namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Image operations on NHWC images (<c>tf.image</c>, Keras' <c>ops.image</c>): a batch
    /// [N, H, W, C] or one image [H, W, C]. All of them are composed from NF ops (products with
    /// weight matrices, gathers of computed indices), so they run on every engine and have gradients.
    /// </summary>
    public static partial class Image
    {
        /// <summary>
        /// Resizes <paramref name="images"/> to <paramref name="height"/> x <paramref name="width"/>
        /// as <c>tf.image.resize</c> (and Keras 3's <c>ops.image.resize</c>) does: "bilinear" (the
        /// default) with half-pixel centres, equal to PyTorch's <c>interpolate(mode="bilinear",
        /// align_corners=False)</c>; "nearest" with TF's rule, floor((i + 0.5) * in / out), which is
        /// PyTorch's "nearest-exact"; "bicubic" with TF's Keys kernel (a = -0.5, taps outside the image
        /// dropped and the rest renormalised); "area", the average over each output pixel's footprint;
        /// "lanczos3" and "lanczos5", TF's Lanczos kernels of radius 3 and 5 (renormalised as bicubic, not clipped).
        /// <paramref name="antialias"/> widens the bilinear, bicubic and Lanczos kernels when downscaling (TF's
        /// antialias, PyTorch's <c>antialias=True</c>). As TF, every method but "nearest" returns
        /// float32 for integer images (float64 stays float64); "nearest" keeps the dtype.
        /// </summary>
        /// <exception cref="ArgumentException">images is not rank 3 or 4, a size is not positive, or the method is unknown.</exception>
        public static Tensor Resize(Tensor images, int height, int width, string method = "bilinear", bool antialias = false)
        {
            const string op = "Image.Resize";
            CheckResize(op, images, height, width);
            int h = images.Shape[images.Rank - 3], w = images.Shape[images.Rank - 2];
            return ResizeWindow(op, images, height, width, ImageResampling.Method(op, method), antialias, (0, 0, h, w));
        }

        /// <summary>
        /// <see cref="Resize"/> with Keras' crop_to_aspect_ratio: the largest centred window with the
        /// target's aspect ratio is resized, so the image is not distorted (<c>keras.ops.image.resize(...,
        /// crop_to_aspect_ratio=True)</c>).
        /// </summary>
        public static Tensor ResizeCropped(Tensor images, int height, int width, string method = "bilinear", bool antialias = false)
        {
            const string op = "Image.ResizeCropped";
            CheckResize(op, images, height, width);
            var window = ImageResampling.AspectWindow(images.Shape[images.Rank - 3], images.Shape[images.Rank - 2], height, width);
            return ResizeWindow(op, images, height, width, ImageResampling.Method(op, method), antialias, window);
        }

        /// <summary>The rank check every image op makes: NHWC [N, H, W, C] or [H, W, C], no empty image.</summary>
        internal static void CheckImages(string op, Tensor images)
        {
            if (images.Rank is not (3 or 4))
                throw new ArgumentException($"{op}: images must be NHWC [N, H, W, C] or one image [H, W, C], got shape {images.Shape}.", nameof(images));
            if (images.Shape[images.Rank - 3] < 1 || images.Shape[images.Rank - 2] < 1)
                throw new ArgumentException($"{op}: images must have at least one row and one column, got shape {images.Shape}.", nameof(images));
        }

        private static void CheckResize(string op, Tensor images, int height, int width)
        {
            ArgumentNullException.ThrowIfNull(images);
            CheckImages(op, images);
            if (height < 1 || width < 1)
                throw new ArgumentException($"{op}: the size must be positive, got height {height} and width {width}.", height < 1 ? nameof(height) : nameof(width));
        }

        // A size such as 100000 x 100000 asks for more values than one tensor holds: refused here, before
        // the weight tables and products are allocated (it ran the allocator out of memory, or out of
        // array space, before). The rows pass makes [N, height, w, C] and the tables height x h and width x w.
        private static void CheckResizedSize(string op, Shape batch, int height, int width)
        {
            double n = batch[0], h = batch[1], w = batch[2], c = batch[3];
            double largest = Math.Max(Math.Max(n * height * width * c, n * height * w * c), Math.Max((double)height * h, (double)width * w));
            if (largest > Array.MaxLength)
                throw new ArgumentOutOfRangeException(height >= width ? nameof(height) : nameof(width),
                    $"{op}: resizing images of shape {batch} to {height} x {width} needs {largest:0} values in one tensor, more than one tensor holds ({Array.MaxLength}); ask for a smaller size.");
        }

        /// <summary>Integer and bool images as float32, float images as they are (what interpolation computes in).</summary>
        internal static Tensor AsFloat(Tensor x) => x.DType is DType.Float32 or DType.Float64 ? x : Cast(x, DType.Float32);

        /// <summary>
        /// The window (top, left, rows, columns) of each image resized to height x width; the method is
        /// already canonical. A window of the target's size is a plain crop (no arithmetic at all).
        /// <paramref name="op"/> names the caller in the error for a size past one tensor.
        /// </summary>
        internal static Tensor ResizeWindow(string op, Tensor images, int height, int width, string method, bool antialias, (int Top, int Left, int Rows, int Columns) window)
        {
            bool single = images.Rank == 3;
            var x = single ? ExpandDims(images, 0) : images;
            int h = x.Shape[1], w = x.Shape[2];
            CheckResizedSize(op, x.Shape, height, width);
            Tensor y;
            if (window.Rows == height && window.Columns == width)
            {
                // Every method maps an unscaled axis to itself; TF returns floats for all but nearest.
                y = window.Rows == h && window.Columns == w ? x : Slice(x, [0, window.Top, window.Left, 0], [-1, height, width, -1]);
                if (method != "nearest") y = AsFloat(y);
            }
            else if (method == "nearest")
            {
                Tensor rows, columns;
                using (UseBackend(x.Backend))
                {
                    rows = Constant(ImageResampling.NearestIndices(window.Top, window.Rows, height));
                    columns = Constant(ImageResampling.NearestIndices(window.Left, window.Columns, width));
                }
                y = Gather(Gather(x, rows, 1), columns, 2);
            }
            else
            {
                x = AsFloat(x);
                Tensor rows, columns;
                using (UseBackend(x.Backend))
                {
                    rows = Cast(Constant(ImageResampling.Weights(method, h, window.Top, window.Rows, height, antialias)), x.DType);
                    columns = Cast(Constant(ImageResampling.Weights(method, w, window.Left, window.Columns, width, antialias)), x.DType);
                }
                y = Einsum("qw,npwc->npqc", columns, Einsum("ph,nhwc->npwc", rows, x));
            }
            return single ? Squeeze(y, 0) : y;
        }
    }
}
