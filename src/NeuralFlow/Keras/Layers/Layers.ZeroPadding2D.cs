namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Pads NHWC images with zero rows and columns (<c>tf.keras.layers.ZeroPadding2D</c>): an int
    /// pads all four sides, (height, width) both sides of each axis, ((top, bottom), (left,
    /// right)) each side. Keras' default pads one on every side.
    /// </summary>
    public sealed class ZeroPadding2D : Sides2D
    {
        /// <summary><paramref name="padding"/> rows and columns on every side.</summary>
        public ZeroPadding2D(int padding = 1, string? name = null) : this((padding, padding), name) { }

        /// <summary>Height rows at the top and bottom, width columns at the left and right.</summary>
        public ZeroPadding2D((int Height, int Width) padding, string? name = null)
            : this(((padding.Height, padding.Height), (padding.Width, padding.Width)), name) { }

        /// <summary>Each side by its own amount.</summary>
        public ZeroPadding2D(((int Top, int Bottom), (int Left, int Right)) padding, string? name = null)
            : base(nameof(ZeroPadding2D), "padding", padding, name) { }

        /// <summary>((top, bottom), (left, right)).</summary>
        public ((int Top, int Bottom), (int Left, int Right)) Padding => Sides;

        private protected override Tensor Apply(Tensor x)
        {
            var ((top, bottom), (left, right)) = Padding;
            return NF.Pad(x, new[,] { { 0, 0 }, { top, bottom }, { left, right }, { 0, 0 } });
        }
    }
}
