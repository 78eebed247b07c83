using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Passes its input through unchanged and adds l1·Σ|x| + l2·Σx² of it to <see cref="Layer.Losses"/>
    /// (<c>keras.layers.ActivityRegularization</c>): an <see cref="Regularizers.L1L2"/> activity
    /// regularizer as any layer's, on a layer of its own.
    /// </summary>
    public sealed class ActivityRegularization : Layer
    {
        /// <summary>A penalty of <paramref name="l1"/>·Σ|x| + <paramref name="l2"/>·Σx² on the input.</summary>
        public ActivityRegularization(double l1 = 0, double l2 = 0, string? name = null)
            : base(name, new Regularizers.L1L2(
                l1 >= 0 ? l1 : throw new ArgumentOutOfRangeException(nameof(l1), l1, "ActivityRegularization: l1 must not be negative."),
                l2 >= 0 ? l2 : throw new ArgumentOutOfRangeException(nameof(l2), l2, "ActivityRegularization: l2 must not be negative.")))
        {
            (L1, L2) = (l1, l2);
        }

        /// <summary>The L1 factor.</summary>
        public double L1 { get; }

        /// <summary>The L2 factor.</summary>
        public double L2 { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("activity_regularizer");   // Keras writes l1 and l2 instead
            c["l1"] = L1;
            c["l2"] = L2;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => x;
    }
}
