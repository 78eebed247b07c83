using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What the adaptive pooling layers share (Keras 3's <c>BaseAdaptivePooling</c>): pooling to a
    /// fixed <see cref="OutputSize"/> whatever the input's spatial size. Output cell i of an axis of
    /// length L pools the input cells [floor(i L / out), ceil((i + 1) L / out)), PyTorch's and
    /// Keras' windows (which overlap when out does not divide L). The windows of a cell are a
    /// product of one interval per axis, so the pooling runs one axis at a time: a mean of means
    /// over equal counts is the mean, a max of maxima the max. Composed from Slice, reductions and
    /// Concat, so every engine runs it and gradients flow.
    /// </summary>
    public abstract class AdaptivePooling : Layer
    {
        private readonly bool _max;

        /// <summary>Whether the layer takes the window's maximum (else its mean).</summary>
        internal bool TakesMax => _max;

        /// <summary>
        /// Window <paramref name="i"/> of <paramref name="size"/> over an axis of <paramref name="length"/>:
        /// [floor(i L / size), ceil((i + 1) L / size)), PyTorch's and Keras' adaptive bounds (the ONNX export's too).
        /// </summary>
        internal static (int Start, int End) Window(int i, int length, int size) =>
            ((int)((long)i * length / size), (int)(((long)(i + 1) * length + size - 1) / size));

        private protected AdaptivePooling(string layer, int[] outputSize, int spatialRank, string dataFormat, bool max, string? name) : base(name)
        {
            ArgumentNullException.ThrowIfNull(outputSize);
            if (outputSize.Length == 1 && spatialRank > 1) outputSize = Enumerable.Repeat(outputSize[0], spatialRank).ToArray();
            if (outputSize.Length != spatialRank || outputSize.Any(s => s < 1))
                throw new ArgumentException(
                    $"{layer}: outputSize must be {spatialRank} positive integer{(spatialRank > 1 ? "s (or one for every axis)" : "")}, got [{string.Join(", ", outputSize)}].", nameof(outputSize));
            OutputSize = outputSize;
            DataFormat = PoolingArgs.DataFormat(layer, dataFormat);
            _max = max;
        }

        /// <summary>The spatial size of the output, one value per spatial axis.</summary>
        public int[] OutputSize { get; }

        /// <summary>"channels_last" (channels on the last axis, Keras' default) or "channels_first" (on axis 1).</summary>
        public string DataFormat { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["output_size"] = PoolingArgs.Json(OutputSize);
            c["data_format"] = DataFormat;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            int spatialRank = OutputSize.Length, first = DataFormat == "channels_first" ? 2 : 1;
            if (x.Rank != spatialRank + 2)
                throw new ArgumentException($"{Name}: {GetType().Name} needs {PoolingArgs.Layout(spatialRank, DataFormat == "channels_first")}, got shape {x.Shape}.", nameof(x));
            if (!x.DType.IsFloating())
                throw new ArgumentException($"{Name}: {GetType().Name} needs float32 or float64 inputs, got {x.DType.Name()}.", nameof(x));
            var y = x;
            for (int i = 0; i < spatialRank; i++) y = PoolAxis(y, first + i, OutputSize[i]);
            return y;
        }

        private Tensor PoolAxis(Tensor x, int axis, int size)
        {
            int length = x.Shape[axis];
            if (length == 0)
                throw new ArgumentException($"{Name}: cannot pool an empty axis {axis} of the input {x.Shape}.", nameof(x));
            var cells = new Tensor[size];
            for (int i = 0; i < size; i++)
            {
                var (start, end) = Window(i, length, size);
                var begin = new int[x.Rank];
                var extent = x.Shape.ToArray();
                (begin[axis], extent[axis]) = (start, end - start);
                var window = NF.Slice(x, begin, extent);
                cells[i] = _max ? NF.ReduceMax(window, axis, keepDims: true) : NF.ReduceMean(window, axis, keepDims: true);
            }
            return size == 1 ? cells[0] : NF.Concat(cells, axis);
        }
    }

    /// <summary>Adaptive average pooling of sequences to <c>outputSize</c> steps (<c>keras.layers.AdaptiveAveragePooling1D</c>).</summary>
    public sealed class AdaptiveAveragePooling1D(int outputSize, string dataFormat = "channels_last", string? name = null)
        : AdaptivePooling(nameof(AdaptiveAveragePooling1D), [outputSize], 1, dataFormat, max: false, name);

    /// <summary>Adaptive max pooling of sequences to <c>outputSize</c> steps (<c>keras.layers.AdaptiveMaxPooling1D</c>).</summary>
    public sealed class AdaptiveMaxPooling1D(int outputSize, string dataFormat = "channels_last", string? name = null)
        : AdaptivePooling(nameof(AdaptiveMaxPooling1D), [outputSize], 1, dataFormat, max: true, name);

    /// <summary>Adaptive average pooling of images to (height, width) (<c>keras.layers.AdaptiveAveragePooling2D</c>); one value serves both.</summary>
    public sealed class AdaptiveAveragePooling2D(int[] outputSize, string dataFormat = "channels_last", string? name = null)
        : AdaptivePooling(nameof(AdaptiveAveragePooling2D), outputSize, 2, dataFormat, max: false, name)
    {
        /// <summary>Pools to a square of <paramref name="outputSize"/>.</summary>
        public AdaptiveAveragePooling2D(int outputSize, string dataFormat = "channels_last", string? name = null) : this([outputSize], dataFormat, name) { }
    }

    /// <summary>Adaptive max pooling of images to (height, width) (<c>keras.layers.AdaptiveMaxPooling2D</c>); one value serves both.</summary>
    public sealed class AdaptiveMaxPooling2D(int[] outputSize, string dataFormat = "channels_last", string? name = null)
        : AdaptivePooling(nameof(AdaptiveMaxPooling2D), outputSize, 2, dataFormat, max: true, name)
    {
        /// <summary>Pools to a square of <paramref name="outputSize"/>.</summary>
        public AdaptiveMaxPooling2D(int outputSize, string dataFormat = "channels_last", string? name = null) : this([outputSize], dataFormat, name) { }
    }

    /// <summary>Adaptive average pooling of volumes to (depth, height, width) (<c>keras.layers.AdaptiveAveragePooling3D</c>); one value serves all.</summary>
    public sealed class AdaptiveAveragePooling3D(int[] outputSize, string dataFormat = "channels_last", string? name = null)
        : AdaptivePooling(nameof(AdaptiveAveragePooling3D), outputSize, 3, dataFormat, max: false, name)
    {
        /// <summary>Pools to a cube of <paramref name="outputSize"/>.</summary>
        public AdaptiveAveragePooling3D(int outputSize, string dataFormat = "channels_last", string? name = null) : this([outputSize], dataFormat, name) { }
    }

    /// <summary>Adaptive max pooling of volumes to (depth, height, width) (<c>keras.layers.AdaptiveMaxPooling3D</c>); one value serves all.</summary>
    public sealed class AdaptiveMaxPooling3D(int[] outputSize, string dataFormat = "channels_last", string? name = null)
        : AdaptivePooling(nameof(AdaptiveMaxPooling3D), outputSize, 3, dataFormat, max: true, name)
    {
        /// <summary>Pools to a cube of <paramref name="outputSize"/>.</summary>
        public AdaptiveMaxPooling3D(int outputSize, string dataFormat = "channels_last", string? name = null) : this([outputSize], dataFormat, name) { }
    }
}
