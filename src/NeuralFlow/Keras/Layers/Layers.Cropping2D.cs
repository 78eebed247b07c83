namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Crops rows and columns off NHWC images (<c>tf.keras.layers.Cropping2D</c>): an int crops
    /// all four sides, (height, width) both sides of each axis, ((top, bottom), (left, right))
    /// each side. Keras' default crops nothing. The result is a view of the input.
    /// </summary>
    public sealed class Cropping2D : Sides2D
    {
        /// <summary><paramref name="cropping"/> rows and columns off every side.</summary>
        public Cropping2D(int cropping = 0, string? name = null) : this((cropping, cropping), name) { }

        /// <summary>Height rows off the top and bottom, width columns off the left and right.</summary>
        public Cropping2D((int Height, int Width) cropping, string? name = null)
            : this(((cropping.Height, cropping.Height), (cropping.Width, cropping.Width)), name) { }

        /// <summary>Each side by its own amount.</summary>
        public Cropping2D(((int Top, int Bottom), (int Left, int Right)) cropping, string? name = null)
            : base(nameof(Cropping2D), "cropping", cropping, name) { }

        /// <summary>((top, bottom), (left, right)).</summary>
        public ((int Top, int Bottom), (int Left, int Right)) Cropping => Sides;

        private protected override Tensor Apply(Tensor x)
        {
            var ((top, bottom), (left, right)) = Cropping;
            return x[.., top..(x.Shape[1] - bottom), left..(x.Shape[2] - right)];
        }

        // Keras refuses a crop that leaves nothing rather than returning an empty image.
        private protected override void CheckInput(Shape shape)
        {
            base.CheckInput(shape);
            var ((top, bottom), (left, right)) = Cropping;
            if (top + bottom >= shape[1] || left + right >= shape[2])
                throw new ArgumentException(
                    $"{Name}: cropping (({top}, {bottom}), ({left}, {right})) leaves nothing of inputs of shape {shape}; the crops of each axis must add up to less than its size.");
        }
    }
}
