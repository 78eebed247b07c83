namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Max pooling over NDHWC [batch, depth, height, width, channels] volumes (or NCDHW)
    /// (<c>keras.layers.MaxPooling3D</c>); strides default to the pool size. Computed by <see cref="NF.MaxPool3D"/>.
    /// </summary>
    public sealed class MaxPooling3D : Pooling3D
    {
        /// <summary>A cubic window (Keras' single-int arguments).</summary>
        public MaxPooling3D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
            : this([poolSize], strides is { } s ? [s] : null, padding, name, dataFormat) { }

        /// <summary>A (depth, height, width) window.</summary>
        public MaxPooling3D(int[] poolSize, int[]? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
            : base(nameof(MaxPooling3D), poolSize, strides, padding, name, dataFormat) { }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.MaxPool3D(Check(x), PoolSize, Strides, Padding, DataFormat);
    }

    /// <summary>
    /// Average pooling over NDHWC (or NCDHW) volumes (<c>keras.layers.AveragePooling3D</c>); strides
    /// default to the pool size; with "same" padding the padded cells are not counted. Computed by <see cref="NF.AvgPool3D"/>.
    /// </summary>
    public sealed class AveragePooling3D : Pooling3D
    {
        /// <summary>A cubic window (Keras' single-int arguments).</summary>
        public AveragePooling3D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
            : this([poolSize], strides is { } s ? [s] : null, padding, name, dataFormat) { }

        /// <summary>A (depth, height, width) window.</summary>
        public AveragePooling3D(int[] poolSize, int[]? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
            : base(nameof(AveragePooling3D), poolSize, strides, padding, name, dataFormat) { }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.AvgPool3D(Check(x), PoolSize, Strides, Padding, DataFormat);
    }

    /// <summary>What MaxPooling3D and AveragePooling3D share: (depth, height, width) windows and strides, each given as one value (all three) or three.</summary>
    public abstract class Pooling3D : Pooling
    {
        private protected Pooling3D(string layer, int[] poolSize, int[]? strides, string padding, string? name, string dataFormat)
            : base(PoolingArgs.Triple(layer, nameof(poolSize), poolSize),
                   strides is null ? PoolingArgs.Triple(layer, nameof(poolSize), poolSize) : PoolingArgs.Triple(layer, nameof(strides), strides),
                   PoolingArgs.Padding(layer, padding), PoolingArgs.DataFormat(layer, dataFormat), name)
        {
        }

        /// <summary>The input, or an error naming the layer when it is not a batch of volumes.</summary>
        private protected Tensor Check(Tensor x) => x.Rank == 5 ? x :
            throw new ArgumentException($"{Name}: {GetType().Name} needs {PoolingArgs.Layout(3, DataFormat == "channels_first")}, got shape {x.Shape}.", nameof(x));
    }
}
