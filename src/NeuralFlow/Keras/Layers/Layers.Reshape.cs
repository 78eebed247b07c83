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

        // Keras' compute_output_shape: the target after the batch axis, its -1 the remaining size (unknown where an input
        // length is). A target of another size, or a target without -1 for unknown lengths, is left to the run on zeros,
        // which refuses it.
        private protected override int?[]? ShapeRule(int?[] inputShape)
        {
            var sample = inputShape.Skip(1).ToArray();
            if (sample.Any(d => d is null))
                return TargetShape.Contains(-1) ? [inputShape[0], .. TargetShape.Select(d => d == -1 ? null : (int?)d)] : null;
            long size = 1, target = 1;
            foreach (var d in sample) size *= d!.Value;
            foreach (int d in TargetShape) if (d != -1) target *= d;
            if (TargetShape.Contains(-1) ? size % target != 0 : size != target) return null;
            return [inputShape[0], .. TargetShape.Select(d => d == -1 ? (int?)checked((int)(size / target)) : d)];
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
