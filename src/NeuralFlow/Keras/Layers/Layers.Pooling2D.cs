using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>What MaxPooling2D and AveragePooling2D share: window, strides (default: the window, as Keras) and padding.</summary>
    public abstract class Pooling2D : Layer
    {
        private protected Pooling2D(string layer, int[] poolSize, int[]? strides, string padding, string? name) : base(name)
        {
            PoolSize = PoolingArgs.Pair(layer, nameof(poolSize), poolSize);
            Strides = strides is null ? PoolSize : PoolingArgs.Pair(layer, nameof(strides), strides);
            Padding = PoolingArgs.Padding(layer, padding);
        }

        /// <summary>The window's (height, width).</summary>
        public int[] PoolSize { get; }

        /// <summary>(height, width) strides.</summary>
        public int[] Strides { get; }

        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["pool_size"] = PoolingArgs.Json(PoolSize);
            c["strides"] = PoolingArgs.Json(Strides);
            c["padding"] = Padding;
            return c;
        }
    }
}
