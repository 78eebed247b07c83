using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A depthwise 1-D convolution (<c>keras.layers.DepthwiseConv1D</c>): each input channel of a
    /// sequence convolved with its own <see cref="DepthMultiplier"/> filters, output channel
    /// c * M + m, then bias and activation. The kernel is [K, C, depthMultiplier] (Keras'
    /// <c>depthwise_kernel</c>); Keras defaults: Glorot uniform, zero bias, channels_last. It runs
    /// as a 2-D depthwise convolution over a height of one, as SeparableConv1D's depthwise step.
    /// </summary>
    public sealed class DepthwiseConv1D : Convolution
    {
        /// <summary>A depthwise convolution with a window of <paramref name="kernelSize"/> steps.</summary>
        public DepthwiseConv1D(int kernelSize, int strides = 1, string padding = "valid", int depthMultiplier = 1, int dilationRate = 1,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? depthwiseRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                               Regularizers.Regularizer? activityRegularizer = null)
            : base(PoolingArgs.Single(nameof(DepthwiseConv1D), nameof(kernelSize), kernelSize), PoolingArgs.Single(nameof(DepthwiseConv1D), nameof(strides), strides),
                   PoolingArgs.Padding(nameof(DepthwiseConv1D), padding), PoolingArgs.Single(nameof(DepthwiseConv1D), nameof(dilationRate), dilationRate),
                   PoolingArgs.DataFormat(nameof(DepthwiseConv1D), dataFormat), activation, useBias, depthwiseInitializer, biasInitializer, name)
        {
            // Keras' depthwise_regularizer penalizes the depthwise kernel, held as Kernel.
            (KernelRegularizer, BiasRegularizer, ActivityRegularizer) = (depthwiseRegularizer, biasRegularizer, activityRegularizer);
            DepthMultiplier = depthMultiplier > 0 ? depthMultiplier
                : throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier, "DepthwiseConv1D: depthMultiplier must be positive.");
        }

        /// <summary>Window, strides and dilation as lists of one value (Keras' tuple form, <c>kernel_size=(3,)</c>).</summary>
        public DepthwiseConv1D(int[] kernelSize, int[]? strides = null, string padding = "valid", int depthMultiplier = 1, int[]? dilationRate = null,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last",
                               Regularizers.Regularizer? depthwiseRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                               Regularizers.Regularizer? activityRegularizer = null)
            : this(PoolingArgs.OneOf(nameof(DepthwiseConv1D), nameof(kernelSize), kernelSize ?? throw new ArgumentNullException(nameof(kernelSize))),
                   PoolingArgs.OneOf(nameof(DepthwiseConv1D), nameof(strides), strides), padding, depthMultiplier,
                   PoolingArgs.OneOf(nameof(DepthwiseConv1D), nameof(dilationRate), dilationRate), activation, useBias, depthwiseInitializer, biasInitializer,
                   name, dataFormat, depthwiseRegularizer, biasRegularizer, activityRegularizer) { }

        /// <summary>Output channels per input channel.</summary>
        public int DepthMultiplier { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig() => DepthwiseConfig(base.GetConfig(), DepthMultiplier);

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            int channels = InputChannels(inputShape);
            BuildWeights("depthwise_kernel", [KernelSize[0], channels, DepthMultiplier], channels * DepthMultiplier);
        }

        private protected override Tensor Convolve(Tensor x)
        {
            InputChannels(x.Shape);
            return DepthwiseSteps($"{Name} ({nameof(DepthwiseConv1D)})", x, ReadWeight(Kernel!), Strides[0], Padding, DilationRate[0], DataFormat);
        }

        /// <summary>
        /// Keras' config of a depthwise layer: the convolution's, with depth_multiplier, and the
        /// kernel's initializer under Keras' name for it, depthwise_initializer.
        /// </summary>
        internal static JsonObject DepthwiseConfig(JsonObject c, int depthMultiplier)
        {
            c["depth_multiplier"] = depthMultiplier;
            c["depthwise_initializer"] = c["kernel_initializer"]!.DeepClone();
            c.Remove("kernel_initializer");
            return c;
        }

        /// <summary>
        /// The depthwise convolution of a sequence with a [K, C, M] kernel: the steps become the
        /// width of an image of height 1 (the axis after the channels when channels_first), so the
        /// 2-D depthwise kernel of every engine does the work. The sequence's own errors are raised
        /// here first, under <paramref name="op"/>, so that they speak of steps and [K, C, M]
        /// kernels rather than of the 2-D op's width and 4-D shapes.
        /// </summary>
        internal static Tensor DepthwiseSteps(string op, Tensor x, Tensor kernel, int stride, string padding, int dilation, string dataFormat)
        {
            bool channelsFirst = dataFormat == "channels_first";
            int channels = x.Shape[channelsFirst ? 1 : -1], steps = x.Shape[channelsFirst ? 2 : 1];
            if (kernel.Shape[1] != channels)
                throw new ArgumentException(
                    $"{op}: its depthwise kernel {kernel.Shape} ([K, C, depth multiplier]) was built for {kernel.Shape[1]} input channels, but the input {x.Shape} has {channels}.", nameof(x));
            NF.CheckSequenceSpan(op, steps, kernel.Shape[0], dilation, padding);
            int heightAxis = channelsFirst ? 2 : 1;
            var image = NF.ExpandDims(x, heightAxis);
            var depthwise = NF.DepthwiseConv2D(image, NF.ExpandDims(kernel, 0), [1, stride], padding, [1, dilation], dataFormat);
            return NF.Reshape(depthwise, depthwise.Shape.ToArray().Where((_, i) => i != heightAxis).ToArray());
        }
    }
}
