using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Reshapes each sample to <see cref="TargetShape"/>, keeping the batch axis
    /// (<c>tf.keras.layers.Reshape</c>); one dimension may be -1.
    /// </summary>
    public sealed class Reshape : Layer
    {
        /// <summary>A reshape of each sample to <paramref name="targetShape"/> (without the batch axis).</summary>
        public Reshape(int[] targetShape, string? name = null) : base(name)
        {
            ArgumentNullException.ThrowIfNull(targetShape);
            if (targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d < -1 || d == 0))
                throw new ArgumentException($"Reshape: targetShape {Shape.Format(targetShape)} needs positive dimensions and at most one -1.", nameof(targetShape));
            TargetShape = (int[])targetShape.Clone();
        }

        /// <summary>The shape of each sample.</summary>
        public int[] TargetShape { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["target_shape"] = PoolingArgs.Json(TargetShape);
            return c;
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            if (x.Rank == 0)
                throw new ArgumentException($"{Name}: needs a batch axis, got a scalar.");
            return NF.Reshape(x, PerSample(Name, x.Shape, TargetShape));
        }

        /// <summary>
        /// [batch, ..target] with target's -1 resolved from one sample's size, as Keras resolves it
        /// from the static sample shape. Leaving -1 to NF.Reshape failed on an empty batch (0
        /// elements fit any size, so numpy's rule refuses), which broke Predict on 0 rows.
        /// </summary>
        internal static int[] PerSample(string layer, Shape x, IReadOnlyList<int> target)
        {
            long sample = 1;
            for (int i = 1; i < x.Rank; i++) sample *= x[i];
            long known = 1;
            foreach (int d in target) if (d != -1) known *= d;
            bool open = target.Contains(-1);
            if (open ? known == 0 || sample % known != 0 : known != sample)
                throw new ArgumentException(
                    $"{layer}: a sample of shape {Shape.Format(x.Skip(1).ToArray())} ({sample} values) cannot be reshaped to {Shape.Format(target.ToArray())}.");
            var shape = new int[target.Count + 1];
            shape[0] = x[0];
            for (int i = 0; i < target.Count; i++)
                shape[i + 1] = target[i] != -1 ? target[i] : checked((int)(sample / known));
            return shape;
        }
    }
}
