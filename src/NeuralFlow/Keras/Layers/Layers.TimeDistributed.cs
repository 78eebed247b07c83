using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Applies <c>layer</c> to every time step of [batch, timesteps, ...] on its own
    /// (<c>keras.layers.TimeDistributed</c>), with one set of weights: the steps are folded into
    /// the batch ([batch * timesteps, ...]), the layer runs once, and the result is unfolded.
    /// </summary>
    public sealed class TimeDistributed(Layer layer, string? name = null) : Layer(name)
    {
        /// <summary>The layer applied at each step.</summary>
        public Layer Layer { get; } = layer ?? throw new ArgumentNullException(nameof(layer));

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["layer"] = KerasSerialization.Serialize(Layer);
            return c;
        }

        /// <summary>True: a mask [batch, timesteps] passes through, each step staying where it was.</summary>
        public override bool SupportsMasking => true;

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => Layer.EnsureBuilt(Folded(inputShape));

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            var y = Layer.Call(NF.Reshape(x, Folded(x.Shape).ToArray()));
            if (y.Rank == 0 || y.Shape[0] != x.Shape[0] * x.Shape[1])
                throw new InvalidOperationException($"{Name}: {Layer.Name} turned {x.Shape[0] * x.Shape[1]} rows into shape {y.Shape}; TimeDistributed needs a layer that keeps the batch axis.");
            return NF.Reshape(y, [x.Shape[0], x.Shape[1], .. y.Shape.ToArray()[1..]]);
        }

        private Shape Folded(Shape shape)
        {
            if (shape.Rank < 3)
                throw new ArgumentException($"{Name}: TimeDistributed needs inputs [batch, timesteps, ...] of rank 3 or more, got shape {shape}.", "x");
            return new Shape([shape[0] * shape[1], .. shape.ToArray()[2..]]);
        }
    }
}
