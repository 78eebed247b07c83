using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// What Conv2D, DepthwiseConv2D and Conv2DTranspose share (Keras' <c>Conv</c> base): window,
    /// strides, padding, dilation, data format, the kernel and optional bias, the activation.
    /// </summary>
    public abstract class Convolution2D : Layer
    {
        private protected Convolution2D(string layer, int[] kernelSize, int[]? strides, string padding, int[]? dilationRate, string dataFormat,
                                        ActivationFunction? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
                                        string? name)
            : base(name)
        {
            KernelSize = PoolingArgs.Pair(layer, nameof(kernelSize), kernelSize);
            Strides = PoolingArgs.Pair(layer, nameof(strides), strides ?? [1]);
            Padding = PoolingArgs.Padding(layer, padding);
            DilationRate = PoolingArgs.Pair(layer, nameof(dilationRate), dilationRate ?? [1]);
            DataFormat = PoolingArgs.DataFormat(layer, dataFormat);
            Activation = activation;
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
        }

        /// <summary>The window's (height, width).</summary>
        public int[] KernelSize { get; }

        /// <summary>(height, width) strides.</summary>
        public int[] Strides { get; }

        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }

        /// <summary>(height, width) dilation.</summary>
        public int[] DilationRate { get; }

        /// <summary>"channels_last" (NHWC, Keras' default) or "channels_first" (NCHW).</summary>
        public string DataFormat { get; }

        /// <summary>The activation, or null for linear.</summary>
        public ActivationFunction? Activation { get; }

        /// <summary>Whether the layer adds a bias.</summary>
        public bool UseBias { get; }

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>A penalty on the kernel, added to <see cref="Layer.Losses"/> (Keras' kernel_regularizer): set it with an object initializer.</summary>
        public Regularizers.Regularizer? KernelRegularizer { get; set; }

        /// <summary>A penalty on the bias (Keras' bias_regularizer).</summary>
        public Regularizers.Regularizer? BiasRegularizer { get; set; }

        private protected override IEnumerable<Tensor> WeightPenalties() => Penalties(KernelRegularizer, Kernel, BiasRegularizer, Bias);
        private protected override bool HasWeightRegularizer => KernelRegularizer is not null || BiasRegularizer is not null;

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
            AddRegularizerConfig(c, KernelRegularizer, BiasRegularizer, this is DepthwiseConv2D ? "depthwise_regularizer" : "kernel_regularizer");
            return c;
        }

        /// <summary>The input's channel count under <see cref="DataFormat"/>; an error naming the layer for a non-image input.</summary>
        private protected int InputChannels(Shape inputShape) => inputShape.Rank == 4
            ? inputShape[ChannelsFirst ? 1 : 3]
            : throw new ArgumentException(
                $"{Name}: {GetType().Name} needs {(ChannelsFirst ? "NCHW inputs [N, C, H, W]" : "NHWC inputs [N, H, W, C]")}, got shape {inputShape}.");

        /// <summary>Creates the kernel and, with <see cref="UseBias"/>, a bias of <paramref name="outputChannels"/>.</summary>
        private protected void BuildWeights(string kernelName, Shape kernelShape, int outputChannels)
        {
            Kernel = AddWeight(kernelName, kernelShape, KernelInitializer);
            if (UseBias) Bias = AddWeight("bias", [outputChannels], BiasInitializer);
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected sealed override Tensor Forward(Tensor x)
        {
            var y = Convolve(x.DType == Kernel!.DType ? x : NF.Cast(x, Kernel.DType));
            // The bias is per channel: the last axis in NHWC, axis 1 in NCHW.
            if (Bias is not null) y = y + (ChannelsFirst ? NF.Reshape(Bias, [Bias.Shape[0], 1, 1]) : Bias);
            return Activation is null ? y : Activation.Apply(y);
        }

        /// <summary>The layer's convolution of <paramref name="x"/> (in the kernel's dtype) with <see cref="Kernel"/>.</summary>
        private protected abstract Tensor Convolve(Tensor x);
    }
}
