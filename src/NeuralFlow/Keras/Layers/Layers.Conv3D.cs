using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A 3-D convolution over volumes (video clips, medical scans): activation(conv3d(x, kernel) +
    /// bias) (<c>keras.layers.Conv3D</c>). Inputs are NDHWC [batch, depth, height, width, channels]
    /// (or NCDHW with <c>dataFormat: "channels_first"</c>); the kernel is [KD, KH, KW, channels /
    /// groups, filters], as in Keras (in both data formats), so weights move between the two
    /// unchanged. Keras defaults: Glorot-uniform kernel, zero bias, channels_last, one group.
    /// Computed by <see cref="NF.Conv3D"/>.
    /// </summary>
    public sealed class Conv3D : Convolution3D
    {
        /// <summary>A convolution with a cubic window, stride and dilation (Keras' single-int arguments).</summary>
        public Conv3D(int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                      int groups = 1, string dataFormat = "channels_last",
                      Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                      Regularizers.Regularizer? activityRegularizer = null)
            : this(filters, [kernelSize], [strides], padding, [dilationRate], activation, useBias, kernelInitializer, biasInitializer, name,
                   groups, dataFormat, kernelRegularizer, biasRegularizer, activityRegularizer)
        {
        }

        /// <summary>A convolution with (depth, height, width) window, strides and dilation (one value serves all three).</summary>
        /// <remarks>The regularizers are Keras' kernel_regularizer, bias_regularizer and activity_regularizer (as on Dense).</remarks>
        public Conv3D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int[]? dilationRate = null,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                      int groups = 1, string dataFormat = "channels_last",
                      Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                      Regularizers.Regularizer? activityRegularizer = null)
            : base(nameof(Conv3D), kernelSize, strides, padding, dilationRate, dataFormat, activation, useBias, kernelInitializer, biasInitializer, name)
        {
            (Filters, Groups) = PoolingArgs.FiltersAndGroups(nameof(Conv3D), filters, groups);
            (KernelRegularizer, BiasRegularizer, ActivityRegularizer) = (kernelRegularizer, biasRegularizer, activityRegularizer);
        }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Channel groups: filters and input channels split into this many groups, group g of the output seeing group g of the input.</summary>
        public int Groups { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            c["groups"] = Groups;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) =>
            BuildWeights("kernel", [KernelSize[0], KernelSize[1], KernelSize[2], GroupChannels(inputShape, Groups), Filters], Filters);

        private protected override Tensor Convolve(Tensor x)
        {
            InputChannels(x.Shape); // a later call of another rank fails naming this layer, as the first one does
            return NF.Conv3D(x, ReadWeight(Kernel!), Strides, Padding, DilationRate, Groups, DataFormat);
        }
    }
}
