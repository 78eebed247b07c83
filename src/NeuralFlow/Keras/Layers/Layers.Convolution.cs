using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What every convolution layer shares (Keras' <c>BaseConv</c>): window, strides, padding,
    /// dilation, data format (one window value per spatial axis: one for Conv1D, two for the 2-D
    /// layers, three for the 3-D ones), the kernel and optional bias, the activation.
    /// </summary>
    public abstract class Convolution : Layer
    {
        // The window arguments arrive checked by the subclass, which knows its rank and its paddings.
        private protected Convolution(int[] kernelSize, int[] strides, string padding, int[] dilationRate, string dataFormat,
                                      ActivationFunction? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
                                      string? name)
            : base(name)
        {
            KernelSize = kernelSize;
            Strides = strides;
            Padding = padding;
            DilationRate = dilationRate;
            DataFormat = dataFormat;
            Activation = activation;
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
        }

        /// <summary>The window's size per spatial axis: (steps), (height, width) or (depth, height, width).</summary>
        public int[] KernelSize { get; }

        /// <summary>The strides per spatial axis.</summary>
        public int[] Strides { get; }

        /// <summary>"valid" or "same" (and "causal" for Conv1D).</summary>
        public string Padding { get; }

        /// <summary>The dilation per spatial axis.</summary>
        public int[] DilationRate { get; }

        /// <summary>"channels_last" (channels on the last axis, Keras' default) or "channels_first" (on axis 1).</summary>
        public string DataFormat { get; }

        /// <summary>The activation, or null for linear.</summary>
        public ActivationFunction? Activation { get; }

        /// <summary>Whether the layer adds a bias.</summary>
        public bool UseBias { get; }

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>A penalty on the kernel, added to <see cref="Layer.Losses"/> (Keras' kernel_regularizer; DepthwiseConv2D's depthwise_regularizer).</summary>
        public Regularizers.Regularizer? KernelRegularizer { get; set; }

        /// <summary>A penalty on the bias (Keras' bias_regularizer).</summary>
        public Regularizers.Regularizer? BiasRegularizer { get; set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            // A depthwise layer's kernel is Keras' depthwise_kernel, its regularizer depthwise_regularizer.
            new(this is DepthwiseConv2D or DepthwiseConv1D ? "depthwise_regularizer" : "kernel_regularizer", Kernel, KernelRegularizer, r => KernelRegularizer = r),
            new("bias_regularizer", Bias, BiasRegularizer, r => BiasRegularizer = r),
        ];

        /// <summary>
        /// A projection of the kernel after each optimizer step (Keras' kernel_constraint; a depthwise or
        /// separable layer's depthwise_constraint), set in an initializer:
        /// <c>new Layers.Conv2D(32, 3) { KernelConstraint = new Constraints.MaxNorm(3, axis: [0, 1, 2]) }</c>.
        /// </summary>
        public Constraints.Constraint? KernelConstraint { get; set { field = value; SyncConstraints(); } }

        /// <summary>A projection of the bias after each optimizer step (Keras' bias_constraint).</summary>
        public Constraints.Constraint? BiasConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
        [
            new(this is DepthwiseConv2D or DepthwiseConv1D or SeparableConvolution ? "depthwise_constraint" : "kernel_constraint", Kernel, KernelConstraint, c => KernelConstraint = c),
            new("bias_constraint", Bias, BiasConstraint, c => BiasConstraint = c),
        ];

        /// <summary>The kernel, once built.</summary>
        public Variable? Kernel { get; private set; }

        /// <summary>The bias (one per output channel), once built; null without bias.</summary>
        public Variable? Bias { get; private set; }

        private protected bool ChannelsFirst => DataFormat == "channels_first";

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            PoolingArgs.WindowConfig(c, "kernel_size", KernelSize, Strides, Padding, DataFormat);
            c["dilation_rate"] = PoolingArgs.Json(DilationRate);
            AddKernelConfig(c, Activation, UseBias, KernelInitializer, BiasInitializer);
            return c;
        }

        /// <summary>The number of spatial axes: 1 for sequences, 2 for images, 3 for volumes.</summary>
        private int SpatialRank => KernelSize.Length;

        /// <summary>
        /// The output shape by Keras' compute_conv_output_shape (<see cref="PoolingArgs.SlideWindows"/>), and for the
        /// transposed convolutions by compute_conv_transpose_output_shape; channels from the layer's filters.
        /// Inputs the layer cannot take are left to the run on zeros.
        /// </summary>
        private protected override int?[]? ShapeRule(int?[] inputShape)
        {
            int channelAxis = ChannelsFirst ? 1 : SpatialRank + 1;
            if (inputShape.Length != SpatialRank + 2 || inputShape[channelAxis] is not int channels) return null;
            int? outputChannels = this switch
            {
                Conv1D c => c.Filters, Conv2D c => c.Filters, Conv3D c => c.Filters, SeparableConvolution c => c.Filters,
                DepthwiseConv1D c => channels * c.DepthMultiplier, DepthwiseConv2D c => channels * c.DepthMultiplier,
                Conv1DTranspose c => c.Filters, Conv2DTranspose c => c.Filters, Conv3DTranspose c => c.Filters,
                _ => null,
            };
            if (outputChannels is null) return null;
            var output = (int?[])inputShape.Clone();
            output[channelAxis] = outputChannels;
            int first = ChannelsFirst ? 2 : 1;
            int[]? outputPadding = this switch
            {
                Conv1DTranspose c => c.OutputPadding is { } p ? [p] : null,
                Conv2DTranspose c => c.OutputPadding,
                Conv3DTranspose c => c.OutputPadding,
                _ => null,
            };
            if (this is not (Conv1DTranspose or Conv2DTranspose or Conv3DTranspose))
                return PoolingArgs.SlideWindows(inputShape, output, first, KernelSize, Strides, DilationRate, Padding) ? output : null;
            for (int i = 0; i < SpatialRank; i++)
                if (inputShape[first + i] is int length) output[first + i] = TransposedLength(length, i, outputPadding?[i]);
            return output;
        }

        // Keras' _get_output_shape_given_tf_padding: without output padding "valid" gives n * s + max(k - s, 0)
        // and "same" n * s; with it, (n - 1) * s + k + p ("valid") or (n - 1) * s + k % 2 + p ("same"), k the dilated window.
        private int TransposedLength(int length, int axis, int? outputPadding)
        {
            int stride = Strides[axis], window = (KernelSize[axis] - 1) * DilationRate[axis] + 1;
            if (Padding == "valid") return (length - 1) * stride + window + (outputPadding ?? Math.Max(window, stride) - window);
            return outputPadding is { } p ? (length - 1) * stride + window % 2 + p : length * stride;
        }

        /// <summary>The input's channel count under <see cref="DataFormat"/>; an error naming the layer for an input of another rank.</summary>
        private protected int InputChannels(Shape inputShape) => inputShape.Rank == SpatialRank + 2
            ? inputShape[ChannelsFirst ? 1 : -1]
            : throw new ArgumentException(
                $"{Name}: {GetType().Name} needs {PoolingArgs.Layout(SpatialRank, ChannelsFirst)}, got shape {inputShape}.", "x");

        /// <summary>The input channels each of <paramref name="groups"/> groups sees; an error naming the layer when they do not divide.</summary>
        private protected int GroupChannels(Shape inputShape, int groups)
        {
            int channels = InputChannels(inputShape);
            return channels % groups == 0 ? channels / groups : throw new ArgumentException(
                $"{Name}: the input {inputShape} has {channels} channels, which are not divisible by groups ({groups}).", "x");
        }

        /// <summary>
        /// Creates the kernel, then the weights of <paramref name="afterKernel"/> (a separable
        /// convolution's pointwise kernel, which Keras orders before the bias) and, with
        /// <see cref="UseBias"/>, a bias of <paramref name="outputChannels"/>.
        /// </summary>
        private protected void BuildWeights(string kernelName, Shape kernelShape, int outputChannels, Action? afterKernel = null)
        {
            Kernel = AddWeight(kernelName, kernelShape, KernelInitializer);
            afterKernel?.Invoke();
            if (UseBias) Bias = AddWeight("bias", [outputChannels], BiasInitializer);
            // channels_first puts the channels before the spatial axes: the bias broadcasts as [C, 1, ...].
            _channelsFirstBias = [outputChannels, .. Enumerable.Repeat(1, SpatialRank)];
        }

        private int[] _channelsFirstBias = [];

        /// <summary>True: reads its weights as float16 under a mixed policy (<see cref="Layer.ReadWeight"/>).</summary>
        private protected override bool ComputesWithMixedWeights => true;

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected sealed override Tensor Forward(Tensor x)
        {
            // The type the kernel is read in (float16 under a mixed policy, see ReadWeight).
            var kernelDType = Dtype.IsMixed && Kernel!.DType == VariableDType ? ComputeDType : Kernel!.DType;
            var y = Convolve(x.DType == kernelDType ? x : NF.Cast(x, kernelDType));
            // The bias is per channel: the last axis for channels_last, axis 1 for channels_first.
            if (Bias is not null)
            {
                var bias = ReadWeight(Bias);
                y = y + (ChannelsFirst ? NF.Reshape(bias, _channelsFirstBias) : bias);
            }
            return Activation is null ? y : Activation.Apply(y);
        }

        /// <summary>The layer's convolution of <paramref name="x"/> (in the kernel's dtype as read) with <see cref="Kernel"/> read by <see cref="Layer.ReadWeight"/>.</summary>
        private protected abstract Tensor Convolve(Tensor x);
    }
}
