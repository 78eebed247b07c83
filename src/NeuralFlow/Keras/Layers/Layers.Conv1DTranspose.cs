using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A transposed 1-D convolution over sequences (<c>keras.layers.Conv1DTranspose</c>):
    /// activation(conv1d_transpose(x, kernel) + bias), which upsamples the steps by the stride.
    /// Inputs are [batch, steps, channels] (or [batch, channels, steps] with
    /// <c>dataFormat: "channels_first"</c>); the kernel is [K, filters, channels], as in Keras.
    /// The output length follows Keras' rule (see <see cref="NF.Conv1DTranspose"/>),
    /// <see cref="OutputPadding"/> adding steps at the end. Keras defaults: Glorot-uniform kernel,
    /// zero bias, channels_last.
    /// </summary>
    public sealed class Conv1DTranspose : Convolution
    {
        /// <summary>A transposed convolution of <paramref name="filters"/> outputs with a window of <paramref name="kernelSize"/> steps.</summary>
        public Conv1DTranspose(int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null, int dilationRate = 1,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last")
            : base(PoolingArgs.Single(nameof(Conv1DTranspose), nameof(kernelSize), kernelSize), PoolingArgs.Single(nameof(Conv1DTranspose), nameof(strides), strides),
                   PoolingArgs.Padding(nameof(Conv1DTranspose), padding), PoolingArgs.Single(nameof(Conv1DTranspose), nameof(dilationRate), dilationRate),
                   PoolingArgs.DataFormat(nameof(Conv1DTranspose), dataFormat), activation, useBias, kernelInitializer, biasInitializer, name)
        {
            (Filters, _) = PoolingArgs.FiltersAndGroups(nameof(Conv1DTranspose), filters, 1);
            // Keras' rule: the extra steps must be fewer than one stride, or they would be a whole output step.
            OutputPadding = outputPadding is not { } p || (p >= 0 && p < strides) ? outputPadding
                : throw new ArgumentException($"Conv1DTranspose: outputPadding must be at least 0 and smaller than the strides ({strides}), got {p}.", nameof(outputPadding));
        }

        /// <summary>Window, strides, output padding and dilation as lists of one value (Keras' tuple form, <c>kernel_size=(3,)</c>).</summary>
        public Conv1DTranspose(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", int[]? outputPadding = null, int[]? dilationRate = null,
                               ActivationFunction? activation = null, bool useBias = true,
                               Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
                               string dataFormat = "channels_last")
            : this(filters, PoolingArgs.OneOf(nameof(Conv1DTranspose), nameof(kernelSize), kernelSize ?? throw new ArgumentNullException(nameof(kernelSize))),
                   PoolingArgs.OneOf(nameof(Conv1DTranspose), nameof(strides), strides), padding,
                   outputPadding is null ? null : PoolingArgs.OneOf(nameof(Conv1DTranspose), nameof(outputPadding), outputPadding),
                   PoolingArgs.OneOf(nameof(Conv1DTranspose), nameof(dilationRate), dilationRate),
                   activation, useBias, kernelInitializer, biasInitializer, name, dataFormat) { }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Extra steps at the end of the output, or null for Keras' default length.</summary>
        public int? OutputPadding { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            c["output_padding"] = OutputPadding is { } p ? PoolingArgs.Json([p]) : null;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) =>
            BuildWeights("kernel", [KernelSize[0], Filters, InputChannels(inputShape)], Filters);

        private protected override Tensor Convolve(Tensor x)
        {
            InputChannels(x.Shape); // a later call of another rank fails naming this layer, as the first one does
            return NF.Conv1DTranspose(x, ReadWeight(Kernel!), Strides[0], Padding, OutputPadding, DilationRate[0], DataFormat);
        }
    }
}
