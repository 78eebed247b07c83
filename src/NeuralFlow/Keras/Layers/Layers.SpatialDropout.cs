using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What SpatialDropout1D, 2D and 3D share (Keras' <c>BaseSpatialDropout</c>): a
    /// <see cref="Dropout"/> that drops whole feature maps (channels), one draw per sample and
    /// channel shared along the spatial axes, for convolution outputs whose neighbouring
    /// values are correlated (Tompson et al. 2015).
    /// </summary>
    public abstract class SpatialDropout : Dropout
    {
        private readonly int _spatialRank;
        private readonly string? _dataFormat;

        // dataFormat: null for the 1-D layer, which Keras gives no data_format.
        private protected SpatialDropout(string layer, int spatialRank, string? dataFormat, double rate, int? seed, string? name) : base(rate, name, null, seed)
        {
            _spatialRank = spatialRank;
            _dataFormat = dataFormat is null ? null : PoolingArgs.DataFormat(layer, dataFormat);
        }

        private int ChannelAxis => _dataFormat == "channels_first" ? 1 : _spatialRank + 1;

        /// <summary>"channels_last" (Keras' default) or "channels_first" for 2-D and 3-D inputs.</summary>
        public string DataFormat => _dataFormat ?? "channels_last";

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            if (_dataFormat is not null) c["data_format"] = _dataFormat;
            return c;
        }

        // The input's shape, for an input of the rank the layer takes (the run refuses another, in inference too).
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape.Length == _spatialRank + 2 ? inputShape : null;

        private protected override Shape MaskShape(Shape input)
        {
            if (input.Rank != _spatialRank + 2)
                throw new ArgumentException($"{Name}: {GetType().Name} needs inputs of rank {_spatialRank + 2}, got shape {input}.", "x");
            var dims = Enumerable.Repeat(1, input.Rank).ToArray();
            dims[0] = input[0];
            dims[ChannelAxis] = input[ChannelAxis];
            return new Shape(dims);
        }
    }

    /// <summary>
    /// Drops whole channels of [batch, steps, channels] sequences (<c>keras.layers.SpatialDropout1D</c>):
    /// the mask is [batch, 1, channels].
    /// </summary>
    public sealed class SpatialDropout1D(double rate, int? seed = null, string? name = null)
        : SpatialDropout(nameof(SpatialDropout1D), 1, null, rate, seed, name);

    /// <summary>
    /// Drops whole feature maps of images (<c>keras.layers.SpatialDropout2D</c>): the mask is
    /// [batch, 1, 1, channels] for channels_last, [batch, channels, 1, 1] for channels_first.
    /// </summary>
    public sealed class SpatialDropout2D(double rate, string dataFormat = "channels_last", int? seed = null, string? name = null)
        : SpatialDropout(nameof(SpatialDropout2D), 2, dataFormat, rate, seed, name);

    /// <summary>
    /// Drops whole feature maps of volumes (<c>keras.layers.SpatialDropout3D</c>): the mask is
    /// [batch, 1, 1, 1, channels] for channels_last, [batch, channels, 1, 1, 1] for channels_first.
    /// </summary>
    public sealed class SpatialDropout3D(double rate, string dataFormat = "channels_last", int? seed = null, string? name = null)
        : SpatialDropout(nameof(SpatialDropout3D), 3, dataFormat, rate, seed, name);
}
