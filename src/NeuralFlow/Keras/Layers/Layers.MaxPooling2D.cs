namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>Max pooling over NHWC (or NCHW) images (<c>tf.keras.layers.MaxPooling2D</c>); strides default to the pool size.</summary>
    public sealed class MaxPooling2D : Pooling2D
    {
        /// <summary>A square window (Keras' single-int arguments).</summary>
        public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
            : this([poolSize, poolSize], strides is { } s ? [s, s] : null, padding, name, dataFormat) { }

        /// <summary>A (height, width) window.</summary>
        public MaxPooling2D(int[] poolSize, int[]? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
            : base(nameof(MaxPooling2D), poolSize, strides, padding, name, dataFormat) { }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.MaxPool2D(x, PoolSize, Strides, Padding, DataFormat);
    }
}
