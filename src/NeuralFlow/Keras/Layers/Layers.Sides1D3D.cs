namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Pads sequences [batch, steps, channels] with zero steps (<c>keras.layers.ZeroPadding1D</c>): an
    /// int pads both ends, (left, right) each end. Keras' default pads one step at each end.
    /// </summary>
    public sealed class ZeroPadding1D : SpatialSides
    {
        /// <summary><paramref name="padding"/> steps at each end.</summary>
        public ZeroPadding1D(int padding = 1, string? name = null) : this((padding, padding), name) { }

        /// <summary>Left steps before, right steps after.</summary>
        public ZeroPadding1D((int Left, int Right) padding, string? name = null)
            : base(nameof(ZeroPadding1D), "padding", [padding], pads: true, "channels_last", name) { }

        /// <summary>(left, right).</summary>
        public (int Left, int Right) Padding => Amounts[0];
    }

    /// <summary>
    /// Crops steps off sequences [batch, steps, channels] (<c>keras.layers.Cropping1D</c>): an int crops
    /// both ends, (start, end) each end. Keras' default crops one step at each end. A view of the input.
    /// </summary>
    public sealed class Cropping1D : SpatialSides
    {
        /// <summary><paramref name="cropping"/> steps off each end.</summary>
        public Cropping1D(int cropping = 1, string? name = null) : this((cropping, cropping), name) { }

        /// <summary>Start steps off the beginning, end steps off the end.</summary>
        public Cropping1D((int Start, int End) cropping, string? name = null)
            : base(nameof(Cropping1D), "cropping", [cropping], pads: false, "channels_last", name) { }

        /// <summary>(start, end).</summary>
        public (int Start, int End) Cropping => Amounts[0];
    }

    /// <summary>
    /// Pads volumes [N, D, H, W, C] (or [N, C, D, H, W] with dataFormat: "channels_first") with zeros
    /// (<c>keras.layers.ZeroPadding3D</c>): an int pads every side, (d, h, w) both sides of each axis,
    /// or a (before, after) pair per axis. Keras' default pads one on every side.
    /// </summary>
    public sealed class ZeroPadding3D : SpatialSides
    {
        /// <summary><paramref name="padding"/> on every side.</summary>
        public ZeroPadding3D(int padding = 1, string? name = null, string dataFormat = "channels_last")
            : this((padding, padding, padding), name, dataFormat) { }

        /// <summary>Both sides of each of the three axes.</summary>
        public ZeroPadding3D((int Depth, int Height, int Width) padding, string? name = null, string dataFormat = "channels_last")
            : this(((padding.Depth, padding.Depth), (padding.Height, padding.Height), (padding.Width, padding.Width)), name, dataFormat) { }

        /// <summary>Each side by its own amount.</summary>
        public ZeroPadding3D(((int, int) Depth, (int, int) Height, (int, int) Width) padding, string? name = null, string dataFormat = "channels_last")
            : base(nameof(ZeroPadding3D), "padding", [padding.Depth, padding.Height, padding.Width], pads: true, dataFormat, name) { }
    }

    /// <summary>
    /// Crops volumes [N, D, H, W, C] (or channels-first) (<c>keras.layers.Cropping3D</c>): an int crops
    /// every side, (d, h, w) both sides of each axis, or a (before, after) pair per axis. Keras' default
    /// crops one off every side. A view of the input.
    /// </summary>
    public sealed class Cropping3D : SpatialSides
    {
        /// <summary><paramref name="cropping"/> off every side.</summary>
        public Cropping3D(int cropping = 1, string? name = null, string dataFormat = "channels_last")
            : this((cropping, cropping, cropping), name, dataFormat) { }

        /// <summary>Both sides of each of the three axes.</summary>
        public Cropping3D((int Depth, int Height, int Width) cropping, string? name = null, string dataFormat = "channels_last")
            : this(((cropping.Depth, cropping.Depth), (cropping.Height, cropping.Height), (cropping.Width, cropping.Width)), name, dataFormat) { }

        /// <summary>Each side by its own amount.</summary>
        public Cropping3D(((int, int) Depth, (int, int) Height, (int, int) Width) cropping, string? name = null, string dataFormat = "channels_last")
            : base(nameof(Cropping3D), "cropping", [cropping.Depth, cropping.Height, cropping.Width], pads: false, dataFormat, name) { }
    }
}
