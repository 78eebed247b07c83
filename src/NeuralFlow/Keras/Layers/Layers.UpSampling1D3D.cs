using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Repeats each step of sequences [batch, steps, channels] <see cref="Size"/> times
    /// (<c>keras.layers.UpSampling1D</c>, default 2).
    /// </summary>
    public sealed class UpSampling1D : Layer
    {
        /// <summary>Each step repeated <paramref name="size"/> times.</summary>
        public UpSampling1D(int size = 2, string? name = null) : base(name) =>
            Size = size >= 1 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "UpSampling1D: size must be at least 1.");

        /// <summary>The repeat factor.</summary>
        public int Size { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["size"] = Size;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => NearestUpsampling.Check(Name, nameof(UpSampling1D), inputShape, 1, false);

        private protected override int?[]? ShapeRule(int?[] inputShape) => NearestUpsampling.Rule(inputShape, 1, [Size]);

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            NearestUpsampling.Check(Name, nameof(UpSampling1D), x.Shape, 1, false);
            return NearestUpsampling.Repeat(x, 1, [Size]);
        }
    }

    /// <summary>
    /// Repeats each voxel of volumes [N, D, H, W, C] (or [N, C, D, H, W] with dataFormat:
    /// "channels_first") size[i] times along each spatial axis (<c>keras.layers.UpSampling3D</c>,
    /// default (2, 2, 2)).
    /// </summary>
    public sealed class UpSampling3D : Layer
    {
        /// <summary>Every spatial axis enlarged <paramref name="size"/> times.</summary>
        public UpSampling3D(int size = 2, string? name = null, string dataFormat = "channels_last") : this([size, size, size], name, dataFormat) { }

        /// <summary>Depth, rows and columns enlarged size[0], size[1] and size[2] times.</summary>
        public UpSampling3D(int[] size, string? name = null, string dataFormat = "channels_last") : base(name)
        {
            ArgumentNullException.ThrowIfNull(size);
            if (size.Length != 3 || size.Any(s => s < 1))
                throw new ArgumentException($"UpSampling3D: size must be 3 factors of at least 1, got [{string.Join(", ", size)}].", nameof(size));
            Size = (int[])size.Clone();
            DataFormat = PoolingArgs.DataFormat(nameof(UpSampling3D), dataFormat);
        }

        /// <summary>(depth, rows, columns) factors.</summary>
        public int[] Size { get; }

        /// <summary>"channels_last" (Keras' default) or "channels_first".</summary>
        public string DataFormat { get; }

        private bool ChannelsFirst => DataFormat == "channels_first";

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["size"] = PoolingArgs.Json(Size);
            c["data_format"] = DataFormat;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => NearestUpsampling.Check(Name, nameof(UpSampling3D), inputShape, 3, ChannelsFirst);

        private protected override int?[]? ShapeRule(int?[] inputShape) => NearestUpsampling.Rule(inputShape, ChannelsFirst ? 2 : 1, Size);

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            NearestUpsampling.Check(Name, nameof(UpSampling3D), x.Shape, 3, ChannelsFirst);
            return NearestUpsampling.Repeat(x, ChannelsFirst ? 2 : 1, Size);
        }
    }
}

/// <summary>Nearest-neighbour upsampling of consecutive spatial axes, for UpSampling1D/2D/3D.</summary>
internal static class NearestUpsampling
{
    public static void Check(string name, string layer, Shape shape, int spatialRank, bool channelsFirst)
    {
        if (shape.Rank != spatialRank + 2)
            throw new ArgumentException($"{name}: {layer} needs {PoolingArgs.Layout(spatialRank, channelsFirst)}, got shape {shape}.");
    }

    /// <summary>
    /// Keras' UpSampling compute_output_shape: each of the spatial lengths from <paramref name="first"/> times its
    /// factor, an unknown one unknown; null for an input of another rank (the run on zeros refuses it).
    /// </summary>
    public static int?[]? Rule(int?[] input, int first, int[] sizes)
    {
        if (input.Length != sizes.Length + 2) return null;
        var output = (int?[])input.Clone();
        for (int i = 0; i < sizes.Length; i++) output[first + i] = input[first + i] * sizes[i];
        return output;
    }

    /// <summary>
    /// Each element of axes first .. first + sizes.Length - 1 repeated sizes[i] times: a broadcast view with a
    /// repeat axis after each spatial one, packed by the reshape (one copy; the gradient is the broadcast's
    /// sum over each block of repeats).
    /// </summary>
    public static Tensor Repeat(Tensor x, int first, int[] sizes)
    {
        var split = new List<int>();
        var spread = new List<int>();
        var merged = new List<int>();
        for (int a = 0; a < x.Rank; a++)
        {
            int i = a - first, d = x.Shape[a];
            split.Add(d);
            spread.Add(d);
            if (i >= 0 && i < sizes.Length)
            {
                split.Add(1);
                spread.Add(sizes[i]);
                merged.Add(d * sizes[i]);
            }
            else merged.Add(d);
        }
        return NF.Reshape(NF.BroadcastTo(NF.Reshape(x, split.ToArray()), new Shape(spread.ToArray())), merged.ToArray());
    }
}
