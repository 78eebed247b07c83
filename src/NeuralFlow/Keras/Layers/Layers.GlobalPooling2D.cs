using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Mean over the spatial axes: [N, H, W, C] (or NCHW [N, C, H, W]) to [N, C], or to
    /// [N, 1, 1, C] (NCHW [N, C, 1, 1]) with <paramref name="keepdims"/> (<c>tf.keras.layers.GlobalAveragePooling2D</c>).
    /// </summary>
    public sealed class GlobalAveragePooling2D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling2D(name, dataFormat, keepdims)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.ReduceMean(Check(x), SpatialAxes, Keepdims);
    }

    /// <summary>
    /// Maximum over the spatial axes: [N, H, W, C] (or NCHW [N, C, H, W]) to [N, C], or to
    /// [N, 1, 1, C] (NCHW [N, C, 1, 1]) with <paramref name="keepdims"/> (<c>tf.keras.layers.GlobalMaxPooling2D</c>).
    /// </summary>
    public sealed class GlobalMaxPooling2D(string? name = null, string dataFormat = "channels_last", bool keepdims = false)
        : GlobalPooling2D(name, dataFormat, keepdims)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x) => NF.ReduceMax(Check(x), SpatialAxes, Keepdims);
    }

    /// <summary>What the global pooling layers share: the data format and the input check.</summary>
    public abstract class GlobalPooling2D : Layer
    {
        private protected GlobalPooling2D(string? name, string dataFormat, bool keepdims) : base(name)
        {
            DataFormat = PoolingArgs.DataFormat(GetType().Name, dataFormat);
            Keepdims = keepdims;
        }

        /// <summary>Keras 3's <c>keepdims</c>: the pooled axes stay, with length 1.</summary>
        public bool Keepdims { get; }

        /// <summary>"channels_last" (NHWC, Keras' default) or "channels_first" (NCHW).</summary>
        public string DataFormat { get; }

        /// <summary>The axes pooled over: H and W of the data format.</summary>
        private protected int[] SpatialAxes => DataFormat == "channels_first" ? [2, 3] : [1, 2];

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["data_format"] = DataFormat;
            c["keepdims"] = Keepdims;
            return c;
        }

        private protected Tensor Check(Tensor x) => x.Rank == 4 ? x :
            throw new ArgumentException($"{Name}: needs {(DataFormat == "channels_first" ? "NCHW inputs [N, C, H, W]" : "NHWC inputs [N, H, W, C]")}, got shape {x.Shape}.");
    }
}
