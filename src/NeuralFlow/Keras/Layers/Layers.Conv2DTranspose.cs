using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A transposed 2-D convolution (<c>tf.keras.layers.Conv2DTranspose</c>, "deconvolution"):
    /// activation(conv2d_transpose(x, kernel) + bias), which upsamples by the strides. The kernel
    /// is [KH, KW, filters, C] as in Keras; the output size follows Keras' rule (see
    /// <see cref="NF.Conv2DTranspose"/>), <see cref="OutputPadding"/> adding rows and columns at
    /// the bottom and right. Keras defaults: Glorot-uniform kernel, zero bias, channels_last.
    /// </summary>
    public sealed class Conv2DTranspose : Convolution2D
    {
        /// <summary>A transposed convolution with a square window, stride and dilation (Keras' single-int arguments).</summary>
        public Conv2DTranspose(int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null, int dilationRate = 1,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : this(filters, [kernelSize, kernelSize], [strides, strides], padding, outputPadding is { } p ? [p, p] : null, [dilationRate, dilationRate],
                   activation, useBias, kernelInitializer, biasInitializer, name, dataFormat, kernelRegularizer, biasRegularizer, activityRegularizer)
        {
        }

        /// <summary>A transposed convolution with (height, width) window, strides, output padding and dilation (one value serves both).</summary>
        public Conv2DTranspose(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int[]? outputPadding = null, int[]? dilationRate = null,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : base(nameof(Conv2DTranspose), kernelSize, strides, padding, dilationRate, dataFormat, activation, useBias, kernelInitializer, biasInitializer, name)
        {
            (KernelRegularizer, BiasRegularizer, ActivityRegularizer) = (kernelRegularizer, biasRegularizer, activityRegularizer);
            Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), filters, "Conv2DTranspose: filters must be positive.");
            OutputPadding = PoolingArgs.OutputPadding(nameof(Conv2DTranspose), outputPadding, Strides, PoolingArgs.ImageAxes);
        }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Extra (height, width) rows and columns of the output, or null for Keras' default size.</summary>
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
            BuildWeights("kernel", [KernelSize[0], KernelSize[1], Filters, InputChannels(inputShape)], Filters);

        private protected override Tensor Convolve(Tensor x) =>
            NF.Conv2DTranspose(x, ReadWeight(Kernel!), Strides, Padding, OutputPadding, DilationRate, DataFormat);
    }
}
