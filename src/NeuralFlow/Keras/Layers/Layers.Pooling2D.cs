using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>What MaxPooling2D and AveragePooling2D share: window, strides (default: the window, as Keras), padding and data format.</summary>
    public abstract class Pooling2D : Layer
    {
        private protected Pooling2D(string layer, int[] poolSize, int[]? strides, string padding, string? name, string dataFormat) : base(name)
        {
            PoolSize = PoolingArgs.Pair(layer, nameof(poolSize), poolSize);
            Strides = strides is null ? PoolSize : PoolingArgs.Pair(layer, nameof(strides), strides);
            Padding = PoolingArgs.Padding(layer, padding);
            DataFormat = PoolingArgs.DataFormat(layer, dataFormat);
        }

        /// <summary>The window's (height, width).</summary>
        public int[] PoolSize { get; }

        /// <summary>(height, width) strides.</summary>
        public int[] Strides { get; }

        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }

        /// <summary>"channels_last" (NHWC, Keras' default) or "channels_first" (NCHW).</summary>
        public string DataFormat { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            PoolingArgs.WindowConfig(c, "pool_size", PoolSize, Strides, Padding, DataFormat);
            return c;
        }
    }
}
