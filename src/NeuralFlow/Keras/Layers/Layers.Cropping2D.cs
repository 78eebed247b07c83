namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Crops rows and columns off images (NHWC, or NCHW with dataFormat: "channels_first") (<c>tf.keras.layers.Cropping2D</c>): an int crops
    /// all four sides, (height, width) both sides of each axis, ((top, bottom), (left, right))
    /// each side. Keras' default crops nothing. The result is a view of the input.
    /// </summary>
    public sealed class Cropping2D : Sides2D
    {
        /// <summary><paramref name="cropping"/> rows and columns off every side.</summary>
        public Cropping2D(int cropping = 0, string? name = null, string dataFormat = "channels_last") : this((cropping, cropping), name, dataFormat) { }

        /// <summary>Height rows off the top and bottom, width columns off the left and right.</summary>
        public Cropping2D((int Height, int Width) cropping, string? name = null, string dataFormat = "channels_last")
            : this(((cropping.Height, cropping.Height), (cropping.Width, cropping.Width)), name, dataFormat) { }

        /// <summary>Each side by its own amount.</summary>
        public Cropping2D(((int Top, int Bottom), (int Left, int Right)) cropping, string? name = null, string dataFormat = "channels_last")
            : base(nameof(Cropping2D), "cropping", cropping, pads: false, dataFormat, name) { }

        /// <summary>((top, bottom), (left, right)).</summary>
        public ((int Top, int Bottom), (int Left, int Right)) Cropping => Sides;
    }
}
