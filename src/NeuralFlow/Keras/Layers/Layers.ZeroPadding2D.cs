namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Pads images (NHWC, or NCHW with dataFormat: "channels_first") with zero rows and columns (<c>tf.keras.layers.ZeroPadding2D</c>): an int
    /// pads all four sides, (height, width) both sides of each axis, ((top, bottom), (left,
    /// right)) each side. Keras' default pads one on every side.
    /// </summary>
    public sealed class ZeroPadding2D : Sides2D
    {
        /// <summary><paramref name="padding"/> rows and columns on every side.</summary>
        public ZeroPadding2D(int padding = 1, string? name = null, string dataFormat = "channels_last") : this((padding, padding), name, dataFormat) { }

        /// <summary>Height rows at the top and bottom, width columns at the left and right.</summary>
        public ZeroPadding2D((int Height, int Width) padding, string? name = null, string dataFormat = "channels_last")
            : this(((padding.Height, padding.Height), (padding.Width, padding.Width)), name, dataFormat) { }

        /// <summary>Each side by its own amount.</summary>
        public ZeroPadding2D(((int Top, int Bottom), (int Left, int Right)) padding, string? name = null, string dataFormat = "channels_last")
            : base(nameof(ZeroPadding2D), "padding", padding, pads: true, dataFormat, name) { }

        /// <summary>((top, bottom), (left, right)).</summary>
        public ((int Top, int Bottom), (int Left, int Right)) Padding => Sides;
    }
}
