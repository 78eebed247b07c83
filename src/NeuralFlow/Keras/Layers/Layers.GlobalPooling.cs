using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Mean over the spatial axes: [N, H, W, C] (or NCHW [N, C, H, W]) to [N, C], or to
    /// [N, 1, 1, C] (NCHW [N, C, 1, 1]) with <paramref name="keepdims"/> (<c>tf.keras.layers.GlobalAveragePooling2D</c>).
    /// </summary>
    public sealed class GlobalAveragePooling2D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling2D(name, dataFormat, keepdims, max: false);

    /// <summary>
    /// Maximum over the spatial axes: [N, H, W, C] (or NCHW [N, C, H, W]) to [N, C], or to
    /// [N, 1, 1, C] (NCHW [N, C, 1, 1]) with <paramref name="keepdims"/> (<c>tf.keras.layers.GlobalMaxPooling2D</c>).
    /// </summary>
    public sealed class GlobalMaxPooling2D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling2D(name, dataFormat, keepdims, max: true);

    /// <summary>
    /// What the global pooling layers share (Keras' <c>BaseGlobalPooling</c>): the data format,
    /// keepdims, the spatial axes pooled over (one for the 1-D layers, two for the 2-D ones, three for the 3-D ones) and
    /// the input check.
    /// </summary>
    public abstract class GlobalPooling : Layer
    {
        private readonly int _spatialRank;

        private readonly bool _max;

        private protected GlobalPooling(int spatialRank, string? name, string dataFormat, bool keepdims, bool max) : base(name)
        {
            _spatialRank = spatialRank;
            _max = max;
            DataFormat = PoolingArgs.DataFormat(GetType().Name, dataFormat);
            Keepdims = keepdims;
            SpatialAxes = Enumerable.Range(DataFormat == "channels_first" ? 2 : 1, spatialRank).ToArray();
        }

        /// <summary>Whether it takes the maximum (the Max layers) rather than the mean.</summary>
        internal bool TakesMax => _max;

        /// <summary>The number of spatial axes pooled over: 1, 2 or 3.</summary>
        internal int SpatialRank => _spatialRank;

        /// <summary>Keras 3's <c>keepdims</c>: the pooled axes stay, with length 1.</summary>
        public bool Keepdims { get; }

        /// <summary>"channels_last" (channels on the last axis, Keras' default) or "channels_first" (on axis 1).</summary>
        public string DataFormat { get; }

        /// <summary>The axes pooled over: the spatial axes of the data format.</summary>
        private int[] SpatialAxes { get; }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected sealed override Tensor Forward(Tensor x) => _max ? NF.ReduceMax(Check(x), SpatialAxes, Keepdims) : NF.ReduceMean(Check(x), SpatialAxes, Keepdims);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["data_format"] = DataFormat;
            c["keepdims"] = Keepdims;
            return c;
        }

        // Keras' compute_output_shape: the spatial axes dropped, or kept as 1 with keepdims.
        private protected override int?[]? ShapeRule(int?[] inputShape)
        {
            if (inputShape.Length != _spatialRank + 2) return null;
            if (Keepdims) return inputShape.Select((d, a) => SpatialAxes.Contains(a) ? 1 : d).ToArray();
            return inputShape.Where((_, a) => !SpatialAxes.Contains(a)).ToArray();
        }

        private Tensor Check(Tensor x) => x.Rank == _spatialRank + 2 ? x :
            throw new ArgumentException($"{Name}: needs {PoolingArgs.Layout(_spatialRank, DataFormat == "channels_first")}, got shape {x.Shape}.", nameof(x));
    }

    /// <summary>What GlobalAveragePooling2D and GlobalMaxPooling2D share: they pool over both axes of images.</summary>
    public abstract class GlobalPooling2D : GlobalPooling
    {
        private protected GlobalPooling2D(string? name, string dataFormat, bool keepdims, bool max) : base(2, name, dataFormat, keepdims, max) { }
    }

    /// <summary>What GlobalAveragePooling1D and GlobalMaxPooling1D share: they pool over the steps of sequences.</summary>
    public abstract class GlobalPooling1D : GlobalPooling
    {
        private protected GlobalPooling1D(string? name, string dataFormat, bool keepdims, bool max) : base(1, name, dataFormat, keepdims, max) { }
    }

    /// <summary>
    /// Mean over the steps: [batch, steps, channels] (or [batch, channels, steps]) to [batch,
    /// channels], or to [batch, 1, channels] ([batch, channels, 1]) with <paramref name="keepdims"/>
    /// (<c>keras.layers.GlobalAveragePooling1D</c>). With a mask [batch, steps] (from
    /// Embedding(maskZero), Masking or a recurrent layer's returned sequence) the mean is over the
    /// real steps only, sum(x where real) / (number of real steps), as Keras'; the output has no mask.
    /// </summary>
    public sealed class GlobalAveragePooling1D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling1D(name, dataFormat, keepdims, max: false)
    {
        /// <summary>True: it reads the mask (and, as Keras', passes none on).</summary>
        public override bool SupportsMasking => true;

        /// <inheritdoc/>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => null;

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x, Tensor? mask)
        {
            if (mask is null) return Forward(x);
            bool channelsFirst = DataFormat == "channels_first";
            if (x.Rank != 3 || mask.Rank != 2 || mask.Shape[0] != x.Shape[0] || mask.Shape[1] != x.Shape[channelsFirst ? 2 : 1])
                throw new ArgumentException(
                    $"{Name}: a mask for inputs of shape {x.Shape} must be [batch, steps] = ({x.Shape[0]}, {(x.Rank == 3 ? x.Shape[channelsFirst ? 2 : 1].ToString() : "steps")}), got shape {mask.Shape}.", nameof(mask));
            int steps = channelsFirst ? 2 : 1;
            var real = NF.ExpandDims(mask.DType == DType.Bool ? mask : NF.NotEqual(mask, 0), channelsFirst ? 1 : 2);
            var values = x.DType.IsFloating() ? x : NF.Cast(x, ComputeDType);
            return NF.ReduceSum(NF.Where(real, values, 0), [steps], Keepdims) / NF.ReduceSum(NF.Cast(real, values.DType), [steps], Keepdims);
        }
    }

    /// <summary>
    /// Maximum over the steps: [batch, steps, channels] (or [batch, channels, steps]) to [batch,
    /// channels], or to [batch, 1, channels] ([batch, channels, 1]) with <paramref name="keepdims"/>
    /// (<c>keras.layers.GlobalMaxPooling1D</c>).
    /// </summary>
    public sealed class GlobalMaxPooling1D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling1D(name, dataFormat, keepdims, max: true);
}
