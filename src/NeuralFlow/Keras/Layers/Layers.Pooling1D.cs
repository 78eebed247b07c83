namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Max pooling over sequences [batch, steps, channels] (or [batch, channels, steps])
    /// (<c>keras.layers.MaxPooling1D</c>); strides default to the pool size. Computed by <see cref="NF.MaxPool1D"/>.
    /// </summary>
    public sealed class MaxPooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
        : Pooling1D(nameof(MaxPooling1D), poolSize, strides, padding, name, dataFormat)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.MaxPool1D(Check(x), PoolSize[0], Strides[0], Padding, DataFormat);
    }

    /// <summary>
    /// Average pooling over sequences [batch, steps, channels] (or [batch, channels, steps])
    /// (<c>keras.layers.AveragePooling1D</c>); strides default to the pool size; with "same"
    /// padding the padded taps are not counted. Computed by <see cref="NF.AvgPool1D"/>.
    /// </summary>
    public sealed class AveragePooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string? name = null, string dataFormat = "channels_last")
        : Pooling1D(nameof(AveragePooling1D), poolSize, strides, padding, name, dataFormat)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.AvgPool1D(Check(x), PoolSize[0], Strides[0], Padding, DataFormat);
    }

    /// <summary>What MaxPooling1D and AveragePooling1D share: a window of steps and its stride.</summary>
    public abstract class Pooling1D : Pooling
    {
        private protected Pooling1D(string layer, int poolSize, int? strides, string padding, string? name, string dataFormat)
            : base(PoolingArgs.Single(layer, nameof(poolSize), poolSize), PoolingArgs.Single(layer, nameof(strides), strides ?? poolSize),
                   PoolingArgs.Padding(layer, padding), PoolingArgs.DataFormat(layer, dataFormat), name)
        {
        }

        /// <summary>The input, or an error naming the layer when it is not a sequence batch.</summary>
        private protected Tensor Check(Tensor x) => x.Rank == 3 ? x :
            throw new ArgumentException($"{Name}: {GetType().Name} needs {PoolingArgs.Layout(1, DataFormat == "channels_first")}, got shape {x.Shape}.", nameof(x));
    }
}
