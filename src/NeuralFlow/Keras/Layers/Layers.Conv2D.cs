using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// A 2-D convolution over images: activation(conv2d(x, kernel) + bias)
    /// (<c>tf.keras.layers.Conv2D</c>). The kernel is HWIO [KH, KW, C / groups, filters], as in
    /// Keras (in both data formats), so weights move between the two unchanged. Keras defaults:
    /// Glorot-uniform kernel, zero bias, channels_last, one group.
    /// </summary>
    public sealed class Conv2D : Convolution2D
    {
        /// <summary>A convolution with a square window, stride and dilation (Keras' single-int arguments).</summary>
        public Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                      int groups = 1, string dataFormat = "channels_last")
            : this(filters, [kernelSize, kernelSize], [strides, strides], padding, [dilationRate, dilationRate],
                   activation, useBias, kernelInitializer, biasInitializer, name, groups, dataFormat)
        {
        }

        /// <summary>A convolution with (height, width) window, strides and dilation (one value serves both).</summary>
        public Conv2D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int[]? dilationRate = null,
                      ActivationFunction? activation = null, bool useBias = true,
                      Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                      int groups = 1, string dataFormat = "channels_last")
            : base(nameof(Conv2D), kernelSize, strides, padding, dilationRate, dataFormat, activation, useBias, kernelInitializer, biasInitializer, name)
        {
            Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), filters, "Conv2D: filters must be positive.");
            Groups = groups > 0 ? groups : throw new ArgumentOutOfRangeException(nameof(groups), groups, "Conv2D: groups must be positive.");
            if (filters % groups != 0)
                throw new ArgumentException($"Conv2D: filters ({filters}) must be divisible by groups ({groups}).", nameof(groups));
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
        protected override void Build(Shape inputShape)
        {
            int channels = InputChannels(inputShape);
            if (channels % Groups != 0)
                throw new ArgumentException($"{Name}: the input {inputShape} has {channels} channels, which are not divisible by groups ({Groups}).");
            BuildWeights("kernel", [KernelSize[0], KernelSize[1], channels / Groups, Filters], Filters);
        }

        private protected override Tensor Convolve(Tensor x) => NF.Conv2D(x, Kernel!, Strides, Padding, DilationRate, Groups, DataFormat);
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

    /// <summary>Keras' data_format: "channels_last" (NHWC) or "channels_first" (NCHW), lower case.</summary>
    public static string DataFormat(string layer, string dataFormat) => dataFormat?.ToLowerInvariant() switch
    {
        "channels_last" => "channels_last",
        "channels_first" => "channels_first",
        _ => throw new ArgumentException($"{layer}: dataFormat must be \"channels_last\" or \"channels_first\", got \"{dataFormat}\".", nameof(dataFormat)),
    };

    /// <summary>The window entries of a convolution or pooling config, in Keras' names.</summary>
    public static void WindowConfig(JsonObject c, string sizeKey, int[] size, int[] strides, string padding, string dataFormat)
    {
        c[sizeKey] = Json(size);
        c["strides"] = Json(strides);
        c["padding"] = padding;
        c["data_format"] = dataFormat;
    }

    public static JsonArray Json(int[] values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
