using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A depthwise 2-D convolution (<c>tf.keras.layers.DepthwiseConv2D</c>): each input channel
    /// convolved with its own <see cref="DepthMultiplier"/> filters, output channel c * M + m,
    /// then bias and activation. The kernel is [KH, KW, C, depthMultiplier] (Keras'
    /// <c>depthwise_kernel</c>); Keras defaults: Glorot uniform, zero bias, channels_last.
    /// </summary>
    public sealed class DepthwiseConv2D : Convolution2D
    {
        /// <summary>A depthwise convolution with a square window, stride and dilation (Keras' single-int arguments).</summary>
        public DepthwiseConv2D(int kernelSize, int strides = 1, string padding = "valid", int depthMultiplier = 1, int dilationRate = 1,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? depthwiseRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : this([kernelSize, kernelSize], [strides, strides], padding, depthMultiplier, [dilationRate, dilationRate],
                   activation, useBias, depthwiseInitializer, biasInitializer, name, dataFormat, depthwiseRegularizer, biasRegularizer, activityRegularizer)
        {
        }

        /// <summary>A depthwise convolution with (height, width) window, strides and dilation (one value serves both).</summary>
        public DepthwiseConv2D(int[] kernelSize, int[]? strides = null, string padding = "valid", int depthMultiplier = 1, int[]? dilationRate = null,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? depthwiseRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : base(nameof(DepthwiseConv2D), kernelSize, strides, padding, dilationRate, dataFormat, activation, useBias, depthwiseInitializer, biasInitializer, name)
        {
            // Keras' depthwise_regularizer penalizes the depthwise kernel, held as Kernel.
            (KernelRegularizer, BiasRegularizer, ActivityRegularizer) = (depthwiseRegularizer, biasRegularizer, activityRegularizer);
            DepthMultiplier = depthMultiplier > 0 ? depthMultiplier
                : throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier, "DepthwiseConv2D: depthMultiplier must be positive.");
        }

        /// <summary>Output channels per input channel.</summary>
        public int DepthMultiplier { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig() => DepthwiseConv1D.DepthwiseConfig(base.GetConfig(), DepthMultiplier);

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            int channels = InputChannels(inputShape);
            BuildWeights("depthwise_kernel", [KernelSize[0], KernelSize[1], channels, DepthMultiplier], channels * DepthMultiplier);
        }

        private protected override Tensor Convolve(Tensor x) => NF.DepthwiseConv2D(x, ReadWeight(Kernel!), Strides, Padding, DilationRate, DataFormat);
    }
}
