using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
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
            return NF.Reshape(x, [x.Shape[0], .. TargetShape]);
        }
    }
}
