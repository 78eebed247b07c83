using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A transposed 3-D convolution (<c>keras.layers.Conv3DTranspose</c>): activation(
    /// conv3d_transpose(x, kernel) + bias), which upsamples volumes by the strides. The kernel is
    /// [KD, KH, KW, filters, channels] as in Keras; the output size follows Keras' rule per axis
    /// (see <see cref="NF.Conv3DTranspose"/>), <see cref="OutputPadding"/> adding cells at the
    /// back, bottom and right. Keras defaults: Glorot-uniform kernel, zero bias, channels_last.
    /// </summary>
    public sealed class Conv3DTranspose : Convolution3D
    {
        /// <summary>A transposed convolution with a cubic window, stride and dilation (Keras' single-int arguments).</summary>
        public Conv3DTranspose(int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null, int dilationRate = 1,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : this(filters, [kernelSize], [strides], padding, outputPadding is { } p ? [p] : null, [dilationRate],
                   activation, useBias, kernelInitializer, biasInitializer, name, dataFormat, kernelRegularizer, biasRegularizer, activityRegularizer)
        {
        }

        /// <summary>A transposed convolution with (depth, height, width) window, strides, output padding and dilation (one value serves all three).</summary>
        public Conv3DTranspose(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int[]? outputPadding = null, int[]? dilationRate = null,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : base(nameof(Conv3DTranspose), kernelSize, strides, padding, dilationRate, dataFormat, activation, useBias, kernelInitializer, biasInitializer, name)
        {
            (KernelRegularizer, BiasRegularizer, ActivityRegularizer) = (kernelRegularizer, biasRegularizer, activityRegularizer);
            (Filters, _) = PoolingArgs.FiltersAndGroups(nameof(Conv3DTranspose), filters, 1);
            OutputPadding = PoolingArgs.OutputPadding(nameof(Conv3DTranspose), outputPadding, Strides, PoolingArgs.VolumeAxes);
        }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Extra (depth, height, width) cells of the output, or null for Keras' default size.</summary>
        public int[]? OutputPadding { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            c["output_padding"] = OutputPadding is null ? null : PoolingArgs.Json(OutputPadding);
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) =>
            BuildWeights("kernel", [KernelSize[0], KernelSize[1], KernelSize[2], Filters, InputChannels(inputShape)], Filters);

        private protected override Tensor Convolve(Tensor x)
        {
            InputChannels(x.Shape); // a later call of another rank fails naming this layer, as the first one does
            return NF.Conv3DTranspose(x, ReadWeight(Kernel!), Strides, Padding, OutputPadding, DilationRate, DataFormat);
        }
    }
}
