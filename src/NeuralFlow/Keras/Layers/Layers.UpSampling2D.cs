using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Repeats the rows and columns of NHWC images (<c>tf.keras.layers.UpSampling2D</c>) by
    /// <see cref="Size"/> (default (2, 2)); interpolation "nearest", Keras' default.
    /// </summary>
    public sealed class UpSampling2D : Layer
    {
        /// <summary>Each row and column repeated <paramref name="size"/> times.</summary>
        public UpSampling2D(int size = 2, string interpolation = "nearest", string? name = null)
            : this([size, size], interpolation, name) { }

        /// <summary>Rows repeated size[0] times, columns size[1] times.</summary>
        public UpSampling2D(int[] size, string interpolation = "nearest", string? name = null) : base(name)
        {
            Size = PoolingArgs.Pair(nameof(UpSampling2D), nameof(size), size);
            if (!string.Equals(interpolation, "nearest", StringComparison.OrdinalIgnoreCase))
                throw new NotSupportedException(
                    $"UpSampling2D: interpolation \"{interpolation}\" is not supported; only \"nearest\" (Keras' default) is.");
            Interpolation = "nearest";
        }

        /// <summary>(rows, columns) repeats.</summary>
        public int[] Size { get; }

        /// <summary>"nearest".</summary>
        public string Interpolation { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["size"] = PoolingArgs.Json(Size);
            c["interpolation"] = Interpolation;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => Images.Check(Name, nameof(UpSampling2D), inputShape);

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            Images.Check(Name, nameof(UpSampling2D), x.Shape);
            int n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape[3];
            // A broadcast view [N, H, sh, W, sw, C] packed by the reshape: one copy, and the
            // gradient is the broadcast's sum over each block of repeats.
            var spread = NF.BroadcastTo(NF.Reshape(x, [n, h, 1, w, 1, c]), new Shape(n, h, Size[0], w, Size[1], c));
            return NF.Reshape(spread, [n, h * Size[0], w * Size[1], c]);
        }
    }
}
