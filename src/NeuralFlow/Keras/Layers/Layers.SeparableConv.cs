using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A depthwise separable convolution (Keras' <c>BaseSeparableConv</c>): a depthwise convolution
    /// (each input channel with its own <see cref="DepthMultiplier"/> filters, windowed by the
    /// strides, padding and dilation) then a pointwise (1×1) convolution to <see cref="Filters"/>
    /// channels, then bias and activation. Weights in Keras' order and layout: depthwise_kernel,
    /// pointwise_kernel, bias. Composed from NF.DepthwiseConv2D and NF.Conv2D / NF.Conv1D.
    /// </summary>
    public abstract class SeparableConvolution : Convolution
    {
        private protected SeparableConvolution(string layer, int filters, int[] kernelSize, int[] strides, string padding, int depthMultiplier,
                                               int[] dilationRate, string dataFormat, ActivationFunction? activation, bool useBias,
                                               Initializer? depthwiseInitializer, Initializer? pointwiseInitializer, Initializer? biasInitializer,
                                               Regularizers.Regularizer? depthwiseRegularizer, Regularizers.Regularizer? pointwiseRegularizer,
                                               Regularizers.Regularizer? biasRegularizer, Regularizers.Regularizer? activityRegularizer, string? name)
            : base(kernelSize, strides, padding, dilationRate, dataFormat, activation, useBias, depthwiseInitializer, biasInitializer, name)
        {
            Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{layer}: filters must be positive.");
            DepthMultiplier = depthMultiplier > 0 ? depthMultiplier
                : throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier, $"{layer}: depthMultiplier must be positive.");
            PointwiseInitializer = pointwiseInitializer ?? Initializer.GlorotUniform;
            // The depthwise kernel is Convolution's Kernel, its regularizer KernelRegularizer.
            (KernelRegularizer, PointwiseRegularizer, BiasRegularizer, ActivityRegularizer) =
                (depthwiseRegularizer, pointwiseRegularizer, biasRegularizer, activityRegularizer);
        }

        /// <summary>Output channels (of the pointwise convolution).</summary>
        public int Filters { get; }

        /// <summary>Depthwise filters per input channel.</summary>
        public int DepthMultiplier { get; }

        /// <summary>How the pointwise kernel starts (Glorot uniform); the depthwise kernel's is <see cref="Convolution.KernelInitializer"/>.</summary>
        public Initializer PointwiseInitializer { get; }

        /// <summary>A penalty on the pointwise kernel (Keras' pointwise_regularizer).</summary>
        public Regularizers.Regularizer? PointwiseRegularizer { get; set; }

        /// <summary>The pointwise kernel, (1, 1, channels × depthMultiplier, filters) or (1, channels × depthMultiplier, filters), once built.</summary>
        public Variable? PointwiseKernel { get; private set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            new("depthwise_regularizer", Kernel, KernelRegularizer, r => KernelRegularizer = r),
            new("pointwise_regularizer", PointwiseKernel, PointwiseRegularizer, r => PointwiseRegularizer = r),
            new("bias_regularizer", Bias, BiasRegularizer, r => BiasRegularizer = r),
        ];

        /// <summary>A projection of the pointwise kernel after each optimizer step (Keras' pointwise_constraint); the depthwise kernel's is <see cref="Convolution.KernelConstraint"/>.</summary>
        public Constraints.Constraint? PointwiseConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots => base.ConstraintSlots
            .Append(new("pointwise_constraint", PointwiseKernel, PointwiseConstraint, c => PointwiseConstraint = c));

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = DepthwiseConv1D.DepthwiseConfig(base.GetConfig(), DepthMultiplier);
            c["filters"] = Filters;
            c["pointwise_initializer"] = PointwiseInitializer.ToConfig();
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            int channels = InputChannels(inputShape);
            var window = KernelSize.Select(k => 1).ToArray();
            BuildWeights("depthwise_kernel", [.. KernelSize, channels, DepthMultiplier], Filters,
                () => PointwiseKernel = AddWeight("pointwise_kernel", [.. window, channels * DepthMultiplier, Filters], PointwiseInitializer));
        }
    }

    /// <summary>
    /// A depthwise separable 2-D convolution (<c>keras.layers.SeparableConv2D</c>): depthwise_kernel
    /// (KH, KW, C, depthMultiplier), pointwise_kernel (1, 1, C × depthMultiplier, filters).
    /// </summary>
    public sealed class SeparableConv2D : SeparableConvolution
    {
        /// <summary>A separable convolution with a square window, stride and dilation.</summary>
        public SeparableConv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", int depthMultiplier = 1, int dilationRate = 1,
                               ActivationFunction? activation = null, bool useBias = true, Initializer? depthwiseInitializer = null,
                               Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last", Regularizers.Regularizer? depthwiseRegularizer = null,
                               Regularizers.Regularizer? pointwiseRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                               Regularizers.Regularizer? activityRegularizer = null)
            : this(filters, [kernelSize], [strides], padding, depthMultiplier, [dilationRate], activation, useBias, depthwiseInitializer,
                   pointwiseInitializer, biasInitializer, name, dataFormat, depthwiseRegularizer, pointwiseRegularizer, biasRegularizer, activityRegularizer)
        {
        }

        /// <summary>A separable convolution with (height, width) window, strides and dilation (one value serves both).</summary>
        public SeparableConv2D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int depthMultiplier = 1,
                               int[]? dilationRate = null, ActivationFunction? activation = null, bool useBias = true,
                               Initializer? depthwiseInitializer = null, Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null,
                               string? name = null, string dataFormat = "channels_last", Regularizers.Regularizer? depthwiseRegularizer = null,
                               Regularizers.Regularizer? pointwiseRegularizer = null, Regularizers.Regularizer? biasRegularizer = null,
                               Regularizers.Regularizer? activityRegularizer = null)
            : base(nameof(SeparableConv2D), filters, PoolingArgs.Pair(nameof(SeparableConv2D), nameof(kernelSize), kernelSize),
                   PoolingArgs.Pair(nameof(SeparableConv2D), nameof(strides), strides ?? [1]), PoolingArgs.Padding(nameof(SeparableConv2D), padding),
                   depthMultiplier, PoolingArgs.Pair(nameof(SeparableConv2D), nameof(dilationRate), dilationRate ?? [1]),
                   PoolingArgs.DataFormat(nameof(SeparableConv2D), dataFormat), activation, useBias, depthwiseInitializer, pointwiseInitializer,
                   biasInitializer, depthwiseRegularizer, pointwiseRegularizer, biasRegularizer, activityRegularizer, name)
        {
        }

        private protected override Tensor Convolve(Tensor x)
        {
            InputChannels(x.Shape);
            var depthwise = NF.DepthwiseConv2D(x, ReadWeight(Kernel!), Strides, Padding, DilationRate, DataFormat);
            return NF.Conv2D(depthwise, ReadWeight(PointwiseKernel!), null, "valid", null, 1, DataFormat);
        }
    }

    /// <summary>
    /// A depthwise separable 1-D convolution (<c>keras.layers.SeparableConv1D</c>): depthwise_kernel
    /// (K, C, depthMultiplier), pointwise_kernel (1, C × depthMultiplier, filters). The depthwise
    /// step runs as a 2-D depthwise convolution over a height of one.
    /// </summary>
    public sealed class SeparableConv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", int depthMultiplier = 1,
                                        int dilationRate = 1, ActivationFunction? activation = null, bool useBias = true,
                                        Initializer? depthwiseInitializer = null, Initializer? pointwiseInitializer = null,
                                        Initializer? biasInitializer = null, string? name = null, string dataFormat = "channels_last",
                                        Regularizers.Regularizer? depthwiseRegularizer = null, Regularizers.Regularizer? pointwiseRegularizer = null,
                                        Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
        : SeparableConvolution(nameof(SeparableConv1D), filters, PoolingArgs.Single(nameof(SeparableConv1D), nameof(kernelSize), kernelSize),
                               PoolingArgs.Single(nameof(SeparableConv1D), nameof(strides), strides), PoolingArgs.Padding(nameof(SeparableConv1D), padding),
                               depthMultiplier, PoolingArgs.Single(nameof(SeparableConv1D), nameof(dilationRate), dilationRate),
                               PoolingArgs.DataFormat(nameof(SeparableConv1D), dataFormat), activation, useBias, depthwiseInitializer,
                               pointwiseInitializer, biasInitializer, depthwiseRegularizer, pointwiseRegularizer, biasRegularizer, activityRegularizer, name)
    {
        /// <summary>Window, strides and dilation as lists of one value (Keras' tuple form, <c>kernel_size=(3,)</c>).</summary>
        public SeparableConv1D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int depthMultiplier = 1,
                               int[]? dilationRate = null, ActivationFunction? activation = null, bool useBias = true,
                               Initializer? depthwiseInitializer = null, Initializer? pointwiseInitializer = null,
                               Initializer? biasInitializer = null, string? name = null, string dataFormat = "channels_last",
                               Regularizers.Regularizer? depthwiseRegularizer = null, Regularizers.Regularizer? pointwiseRegularizer = null,
                               Regularizers.Regularizer? biasRegularizer = null, Regularizers.Regularizer? activityRegularizer = null)
            : this(filters, PoolingArgs.OneOf(nameof(SeparableConv1D), nameof(kernelSize), kernelSize ?? throw new ArgumentNullException(nameof(kernelSize))),
                   PoolingArgs.OneOf(nameof(SeparableConv1D), nameof(strides), strides), padding, depthMultiplier,
                   PoolingArgs.OneOf(nameof(SeparableConv1D), nameof(dilationRate), dilationRate), activation, useBias, depthwiseInitializer,
                   pointwiseInitializer, biasInitializer, name, dataFormat, depthwiseRegularizer, pointwiseRegularizer, biasRegularizer, activityRegularizer) { }

        private protected override Tensor Convolve(Tensor x)
        {
            InputChannels(x.Shape);
            var depthwise = DepthwiseConv1D.DepthwiseSteps($"{Name} ({nameof(SeparableConv1D)})", x, ReadWeight(Kernel!), Strides[0], Padding, DilationRate[0], DataFormat);
            return NF.Conv1D(depthwise, ReadWeight(PointwiseKernel!), 1, "valid", 1, 1, DataFormat);
        }
    }
}
