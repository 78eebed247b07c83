using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A 1-D (temporal) convolution over sequences: activation(conv1d(x, kernel) + bias)
    /// (<c>keras.layers.Conv1D</c>). Inputs are [batch, steps, channels] (or [batch, channels,
    /// steps] with <c>dataFormat: "channels_first"</c>); the kernel is [K, channels / groups,
    /// filters], as in Keras (in both data formats), so weights move between the two unchanged.
    /// Padding "causal" (Keras') pads dilation * (K - 1) zeros before the first step, so output t
    /// depends on no input after step t (WaveNet-style models). Keras defaults: Glorot-uniform
    /// kernel, zero bias, channels_last, one group. Computed by <see cref="NF.Conv1D"/>.
    /// </summary>
    public sealed class Conv1D : Convolution
    {
        /// <summary>A convolution of <paramref name="filters"/> outputs with a window of <paramref name="kernelSize"/> steps.</summary>
        public Conv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                      int groups = 1, string dataFormat = "channels_last",
                      Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : base(PoolingArgs.Single(nameof(Conv1D), nameof(kernelSize), kernelSize), PoolingArgs.Single(nameof(Conv1D), nameof(strides), strides),
                   PoolingArgs.Padding(nameof(Conv1D), padding, causal: true), PoolingArgs.Single(nameof(Conv1D), nameof(dilationRate), dilationRate),
                   PoolingArgs.DataFormat(nameof(Conv1D), dataFormat), activation, useBias, kernelInitializer, biasInitializer, name)
        {
            (Filters, Groups) = PoolingArgs.FiltersAndGroups(nameof(Conv1D), filters, groups);
            (KernelRegularizer, BiasRegularizer, ActivityRegularizer) = (kernelRegularizer, biasRegularizer, activityRegularizer);
        }

        /// <summary>Window, strides and dilation as lists of one value (Keras' tuple form, <c>kernel_size=(3,)</c>).</summary>
        public Conv1D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int[]? dilationRate = null,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                      int groups = 1, string dataFormat = "channels_last",
                      Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : this(filters, PoolingArgs.OneOf(nameof(Conv1D), nameof(kernelSize), kernelSize ?? throw new ArgumentNullException(nameof(kernelSize))),
                   PoolingArgs.OneOf(nameof(Conv1D), nameof(strides), strides), padding, PoolingArgs.OneOf(nameof(Conv1D), nameof(dilationRate), dilationRate),
                   activation, useBias, kernelInitializer, biasInitializer, name, groups, dataFormat, kernelRegularizer, biasRegularizer, activityRegularizer) { }

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
            BuildWeights("kernel", [KernelSize[0], GroupChannels(inputShape, Groups), Filters], Filters);

        private protected override Tensor Convolve(Tensor x)
        {
            InputChannels(x.Shape); // a later call of another rank fails naming this layer, as the first one does
            return NF.Conv1D(x, ReadWeight(Kernel!), Strides[0], Padding, DilationRate[0], Groups, DataFormat);
        }
    }
}
