using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Enlarges images by <see cref="Size"/> (default (2, 2); <c>tf.keras.layers.UpSampling2D</c>):
    /// "nearest" (Keras' default) repeats each row and column; "bilinear" interpolates with
    /// half-pixel centers, as Keras' <c>ops.image.resize</c> (tf.image.resize, PyTorch's
    /// <c>interpolate(mode="bilinear", align_corners=False)</c>). NHWC, or NCHW with
    /// <c>dataFormat: "channels_first"</c>.
    /// </summary>
    public sealed class UpSampling2D : Layer
    {
        /// <summary>Each row and column repeated (or interpolated to) <paramref name="size"/> times.</summary>
        public UpSampling2D(int size = 2, string interpolation = "nearest", string? name = null, string dataFormat = "channels_last")
            : this([size, size], interpolation, name, dataFormat) { }

        /// <summary>Rows enlarged size[0] times, columns size[1] times.</summary>
        public UpSampling2D(int[] size, string interpolation = "nearest", string? name = null, string dataFormat = "channels_last") : base(name)
        {
            Size = PoolingArgs.Pair(nameof(UpSampling2D), nameof(size), size);
            Interpolation = interpolation?.ToLowerInvariant() switch
            {
                "nearest" => "nearest",
                "bilinear" => "bilinear",
                _ => throw new NotSupportedException(
                    $"UpSampling2D: interpolation \"{interpolation}\" is not supported; use \"nearest\" (Keras' default) or \"bilinear\"."),
            };
            DataFormat = PoolingArgs.DataFormat(nameof(UpSampling2D), dataFormat);
        }

        /// <summary>(rows, columns) factors.</summary>
        public int[] Size { get; }

        /// <summary>"nearest" or "bilinear".</summary>
        public string Interpolation { get; }

        /// <summary>"channels_last" (NHWC, Keras' default) or "channels_first" (NCHW).</summary>
        public string DataFormat { get; }

        private bool ChannelsFirst => DataFormat == "channels_first";

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["size"] = PoolingArgs.Json(Size);
            c["interpolation"] = Interpolation;
            c["data_format"] = DataFormat;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => Check(inputShape);

        private protected override int?[]? ShapeRule(int?[] inputShape) => NearestUpsampling.Rule(inputShape, ChannelsFirst ? 2 : 1, Size);

        private void Check(Shape shape)
        {
            if (shape.Rank != 4)
                throw new ArgumentException($"{Name}: UpSampling2D needs {(ChannelsFirst ? "NCHW inputs [N, C, H, W]" : "NHWC inputs [N, H, W, C]")}, got shape {shape}.");
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            Check(x.Shape);
            int hAxis = ChannelsFirst ? 2 : 1;
            int h = x.Shape[hAxis], w = x.Shape[hAxis + 1];
            if (Interpolation == "bilinear")
            {
                // Separable: rows then columns, each a product with a [out, in] matrix of weights,
                // so the gradient is the transposed products.
                var rows = NF.Constant(ImageResampling.Weights("bilinear", h, 0, h, h * Size[0], antialias: false)).To(x.Device);
                var cols = NF.Constant(ImageResampling.Weights("bilinear", w, 0, w, w * Size[1], antialias: false)).To(x.Device);
                if (x.DType != DType.Float64) (rows, cols) = (NF.Cast(rows, x.DType), NF.Cast(cols, x.DType));
                return ChannelsFirst
                    ? NF.Einsum("qw,ncpw->ncpq", cols, NF.Einsum("ph,nchw->ncpw", rows, x))
                    : NF.Einsum("qw,npwc->npqc", cols, NF.Einsum("ph,nhwc->npwc", rows, x));
            }
            return NearestUpsampling.Repeat(x, hAxis, Size);
        }
    }
}
