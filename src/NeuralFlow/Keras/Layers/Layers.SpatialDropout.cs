using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// What SpatialDropout1D and SpatialDropout2D share (Keras' <c>BaseSpatialDropout</c>): a
    /// <see cref="Dropout"/> that drops whole feature maps (channels), one draw per sample and
    /// channel shared along the spatial axes, for convolution outputs whose neighbouring
    /// values are correlated (Tompson et al. 2015).
    /// </summary>
    public abstract class SpatialDropout : Dropout
    {
        private protected SpatialDropout(double rate, int? seed, string? name) : base(rate, name, null, seed) { }

        /// <summary>The rank of the inputs the layer takes (3 for 1-D, 4 for 2-D).</summary>
        private protected abstract int InputRank { get; }

        /// <summary>The axis of the channels.</summary>
        private protected abstract int ChannelAxis { get; }

        private protected override Shape MaskShape(Shape input)
        {
            if (input.Rank != InputRank)
                throw new ArgumentException($"{Name}: {GetType().Name} needs inputs of rank {InputRank}, got shape {input}.", "x");
            var dims = Enumerable.Repeat(1, InputRank).ToArray();
            dims[0] = input[0];
            dims[ChannelAxis] = input[ChannelAxis];
            return new Shape(dims);
        }
    }

    /// <summary>
    /// Drops whole channels of [batch, steps, channels] sequences (<c>keras.layers.SpatialDropout1D</c>):
    /// the mask is [batch, 1, channels].
    /// </summary>
    public sealed class SpatialDropout1D(double rate, int? seed = null, string? name = null) : SpatialDropout(rate, seed, name)
    {
        private protected override int InputRank => 3;
        private protected override int ChannelAxis => 2;
    }

    /// <summary>
    /// Drops whole feature maps of images (<c>keras.layers.SpatialDropout2D</c>): the mask is
    /// [batch, 1, 1, channels] for channels_last, [batch, channels, 1, 1] for channels_first.
    /// </summary>
    public sealed class SpatialDropout2D(double rate, string dataFormat = "channels_last", int? seed = null, string? name = null)
        : SpatialDropout(rate, seed, name)
    {
        /// <summary>"channels_last" (Keras' default) or "channels_first".</summary>
        public string DataFormat { get; } = PoolingArgs.DataFormat(nameof(SpatialDropout2D), dataFormat);

        private protected override int InputRank => 4;
        private protected override int ChannelAxis => DataFormat == "channels_first" ? 1 : 3;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["data_format"] = DataFormat;
            return c;
        }
    }
}
