using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>Repeats each [N, F] sample <see cref="N"/> times into [N, n, F] (<c>tf.keras.layers.RepeatVector</c>).</summary>
    public sealed class RepeatVector : Layer
    {
        /// <summary>Each sample repeated <paramref name="n"/> times.</summary>
        public RepeatVector(int n, string? name = null) : base(name) =>
            N = n > 0 ? n : throw new ArgumentOutOfRangeException(nameof(n), n, "RepeatVector: n must be positive.");

        /// <summary>The number of repeats.</summary>
        public int N { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["n"] = N;
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => CheckRank(inputShape);

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            CheckRank(x.Shape);
            int batch = x.Shape[0], features = x.Shape[1];
            // The broadcast view packed by the reshape; its gradient sums the repeats.
            return NF.Reshape(NF.BroadcastTo(NF.ExpandDims(x, 1), new Shape(batch, N, features)), [batch, N, features]);
        }

        // Keras' compute_output_shape: (batch, n, features).
        private protected override int?[]? ShapeRule(int?[] inputShape) =>
            inputShape.Length == 2 ? [inputShape[0], N, inputShape[1]] : null;

        private void CheckRank(Shape shape)
        {
            if (shape.Rank != 2)
                throw new ArgumentException($"{Name}: RepeatVector needs inputs of shape (batch, features), got {shape}.");
        }
    }
}
