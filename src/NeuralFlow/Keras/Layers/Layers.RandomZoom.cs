using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Zooms each image about its centre by a random amount while training
    /// (<c>keras.layers.RandomZoom</c>); the identity at inference. A factor f in (-1, 1] draws
    /// from (-f, f) or a given (lower, upper): positive values zoom out (the image shrinks, the
    /// border comes from <see cref="RandomAffineLayer.FillMode"/>), negative ones zoom in. Without
    /// a width factor both axes zoom by the same draw, keeping the aspect ratio.
    /// </summary>
    public sealed class RandomZoom : RandomAffineLayer
    {
        /// <summary>Zooms in (-|heightFactor|, |heightFactor|), and (-|widthFactor|, |widthFactor|) across when given (Keras 3 takes a negative factor by its size).</summary>
        public RandomZoom(double heightFactor, double? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
            : this(Symmetric(heightFactor), widthFactor is { } w ? Symmetric(w) : null, fillMode, interpolation, seed, fillValue, name) { }

        /// <summary>Zooms in the given (lower, upper) ranges, each in (-1, 1] (a reversed pair is sorted, as Keras 3 does).</summary>
        public RandomZoom((double Lower, double Upper) heightFactor, (double Lower, double Upper)? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
            : base(fillMode, interpolation, fillValue, seed, name)
        {
            HeightFactor = ZoomFactor("heightFactor", heightFactor);
            WidthFactor = widthFactor is { } w ? ZoomFactor("widthFactor", w) : null;
        }

        // Keras 3's range (-1, 1]: a draw of -1 zooms by 1 + (-1) = 0, a window of no size, every output
        // pixel read from one point (a flat image before, without a word).
        private static (double Lower, double Upper) ZoomFactor(string argument, (double Lower, double Upper) factor)
        {
            var checkedFactor = CheckedFactor(nameof(RandomZoom), argument, Sorted(factor), -1, 1);
            return checkedFactor.Lower > -1 ? checkedFactor : throw new ArgumentOutOfRangeException(argument, factor,
                $"RandomZoom: {argument} must lie in (-1, 1] (a zoom of -1 leaves a window of no size), got ({factor.Lower}, {factor.Upper}).");
        }

        /// <summary>(lower, upper) vertical zoom: 1 + the draw is the scale of the sampled window.</summary>
        public (double Lower, double Upper) HeightFactor { get; }

        /// <summary>(lower, upper) horizontal zoom, or null: the vertical draw.</summary>
        public (double Lower, double Upper)? WidthFactor { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["height_factor"] = Json(HeightFactor);
            c["width_factor"] = WidthFactor is { } w ? Json(w) : null;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Transforms(int n, int height, int width)
        {
            // Keras 3: output (x, y) reads zoom * (x, y) + (1 - zoom) * centre.
            var perImage = new Shape(n, 1);
            var heightZoom = Uniform(perImage, 1 + HeightFactor.Lower, 1 + HeightFactor.Upper);
            var widthZoom = WidthFactor is { } w ? Uniform(perImage, 1 + w.Lower, 1 + w.Upper) : heightZoom;
            var zero = NF.ZerosLike(heightZoom);
            return Transform(widthZoom, zero, (width - 1) / 2f * (1f - widthZoom), zero, heightZoom, (height - 1) / 2f * (1f - heightZoom));
        }
    }
}
