using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// A 2-D convolution over NHWC images: activation(conv2d(x, kernel) + bias)
    /// (<c>tf.keras.layers.Conv2D</c>). The kernel is HWIO [KH, KW, C, filters], as in Keras, so
    /// weights move between the two unchanged. Keras defaults: Glorot-uniform kernel, zero bias.
    /// </summary>
    public sealed class Conv2D : Layer
    {
        /// <summary>A convolution with a square window, stride and dilation (Keras' single-int arguments).</summary>
        public Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null)
            : this(filters, [kernelSize, kernelSize], [strides, strides], padding, [dilationRate, dilationRate],
                   activation, useBias, kernelInitializer, biasInitializer, name)
        {
        }

        /// <summary>A convolution with (height, width) window, strides and dilation (one value serves both).</summary>
        public Conv2D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int[]? dilationRate = null,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null)
            : base(name)
        {
            Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), filters, "Conv2D: filters must be positive.");
            KernelSize = PoolingArgs.Pair("Conv2D", nameof(kernelSize), kernelSize);
            Strides = PoolingArgs.Pair("Conv2D", nameof(strides), strides ?? [1]);
            Padding = PoolingArgs.Padding("Conv2D", padding);
            DilationRate = PoolingArgs.Pair("Conv2D", nameof(dilationRate), dilationRate ?? [1]);
            Activation = activation;
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
            BiasInitializer = biasInitializer ?? Initializer.Zeros;
        }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>The window's (height, width).</summary>
        public int[] KernelSize { get; }

        /// <summary>(height, width) strides.</summary>
        public int[] Strides { get; }

        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }

        /// <summary>(height, width) dilation.</summary>
        public int[] DilationRate { get; }

        /// <summary>The activation, or null for linear.</summary>
        public ActivationFunction? Activation { get; }

        /// <summary>Whether the layer adds a bias.</summary>
        public bool UseBias { get; }

        /// <summary>How the kernel starts (Keras' default: Glorot uniform).</summary>
        public Initializer KernelInitializer { get; }

        /// <summary>How the bias starts (zeros).</summary>
        public Initializer BiasInitializer { get; }

        /// <summary>The [KH, KW, C, filters] kernel, once built.</summary>
        public Variable? Kernel { get; private set; }

        /// <summary>The [filters] bias, once built (null without bias).</summary>
        public Variable? Bias { get; private set; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            c["kernel_size"] = PoolingArgs.Json(KernelSize);
            c["strides"] = PoolingArgs.Json(Strides);
            c["padding"] = Padding;
            c["dilation_rate"] = PoolingArgs.Json(DilationRate);
            AddKernelConfig(c, Activation, UseBias, KernelInitializer, BiasInitializer);
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            if (inputShape.Rank != 4)
                throw new ArgumentException($"{Name}: Conv2D needs NHWC inputs [N, H, W, C], got shape {inputShape}.");
            Kernel = AddWeight("kernel", [KernelSize[0], KernelSize[1], inputShape[3], Filters], KernelInitializer);
            if (UseBias) Bias = AddWeight("bias", [Filters], BiasInitializer);
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            var input = x.DType == Kernel!.DType ? x : NF.Cast(x, Kernel.DType);
            var y = NF.Conv2D(input, Kernel, Strides, Padding, DilationRate);
            if (Bias is not null) y = y + Bias;
            return Activation is null ? y : Activation.Apply(y);
        }
    }
}

/// <summary>The argument rules the convolution and pooling layers share.</summary>
internal static class PoolingArgs
{
    /// <summary>(height, width) from one value (both) or two; each at least 1.</summary>
    public static int[] Pair(string layer, string arg, int[] values)
    {
        ArgumentNullException.ThrowIfNull(values, arg);
        if (values.Length is not (1 or 2) || values.Any(v => v < 1))
            throw new ArgumentException($"{layer}: {arg} must be one or two positive integers (height, width), got [{string.Join(", ", values)}].", arg);
        return [values[0], values[^1]];
    }

    /// <summary>"valid" or "same", lower case.</summary>
    public static string Padding(string layer, string padding) => padding?.ToLowerInvariant() switch
    {
        "valid" => "valid",
        "same" => "same",
        _ => throw new ArgumentException($"{layer}: padding must be \"valid\" or \"same\", got \"{padding}\".", nameof(padding)),
    };

    public static JsonArray Json(int[] values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
