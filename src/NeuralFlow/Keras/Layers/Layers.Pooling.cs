using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What the max and average pooling layers share (Keras' <c>BasePooling</c>): window, strides
    /// (default: the window, as Keras), padding and data format, one window value per spatial
    /// axis (one for the 1-D pools, two for the 2-D ones, three for the 3-D ones).
    /// </summary>
    public abstract class Pooling : Layer
    {
        // The window arguments arrive checked by the subclass, which knows its rank.
        private protected Pooling(int[] poolSize, int[] strides, string padding, string dataFormat, string? name) : base(name)
        {
            PoolSize = poolSize;
            Strides = strides;
            Padding = padding;
            DataFormat = dataFormat;
        }

        /// <summary>The window's size per spatial axis: (steps), (height, width) or (depth, height, width).</summary>
        public int[] PoolSize { get; }

        /// <summary>The strides per spatial axis.</summary>
        public int[] Strides { get; }

        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }

        /// <summary>"channels_last" (channels on the last axis, Keras' default) or "channels_first" (on axis 1).</summary>
        public string DataFormat { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            PoolingArgs.WindowConfig(c, "pool_size", PoolSize, Strides, Padding, DataFormat);
            return c;
        }

        // Keras' compute_pooling_output_shape: the convolutions' window rule with no dilation, channels kept.
        private protected override int?[]? ShapeRule(int?[] inputShape)
        {
            if (inputShape.Length != PoolSize.Length + 2) return null;
            var output = (int?[])inputShape.Clone();
            return PoolingArgs.SlideWindows(inputShape, output, DataFormat == "channels_first" ? 2 : 1, PoolSize, Strides, null, Padding) ? output : null;
        }
    }

    /// <summary>What MaxPooling2D and AveragePooling2D share: (height, width) windows and strides, each given as one value (both) or two.</summary>
    public abstract class Pooling2D : Pooling
    {
        private protected Pooling2D(string layer, int[] poolSize, int[]? strides, string padding, string? name, string dataFormat)
            : base(PoolingArgs.Pair(layer, nameof(poolSize), poolSize),
                   strides is null ? PoolingArgs.Pair(layer, nameof(poolSize), poolSize) : PoolingArgs.Pair(layer, nameof(strides), strides),
                   PoolingArgs.Padding(layer, padding), PoolingArgs.DataFormat(layer, dataFormat), name)
        {
        }
    }
}
