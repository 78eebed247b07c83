using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

// The two layers of keras/src/applications/convnext.py, registered under Keras' class names ("LayerScale",
// "StochasticDepth") with Keras' config keys, so that a saved ConvNeXt loads as Keras' does.
public static partial class Applications
{
    /// <summary>
    /// convnext.py's LayerScale (Touvron et al. 2021): its input times a trainable per-channel weight 'gamma' of
    /// <see cref="ProjectionDim"/> values, all <see cref="InitValues"/> at first (1e-6 in ConvNeXt, so a block's residual
    /// starts nearly off). Inputs are channels last, with <see cref="ProjectionDim"/> channels.
    /// </summary>
    public sealed class LayerScale : Layer
    {
        /// <summary>A scale of <paramref name="projectionDim"/> channels, each <paramref name="initValues"/> at first.</summary>
        /// <exception cref="ArgumentOutOfRangeException">projectionDim is not positive, or initValues is not finite.</exception>
        public LayerScale(double initValues, int projectionDim, string? name = null) : base(name)
        {
            if (projectionDim < 1)
                throw new ArgumentOutOfRangeException(nameof(projectionDim), projectionDim, "LayerScale: projectionDim (the channels scaled) must be at least 1.");
            if (!double.IsFinite(initValues))
                throw new ArgumentOutOfRangeException(nameof(initValues), initValues, "LayerScale: initValues must be a finite number.");
            (InitValues, ProjectionDim) = (initValues, projectionDim);
        }

        /// <summary>The value every channel's scale starts at.</summary>
        public double InitValues { get; }

        /// <summary>The channels scaled (the last axis' length).</summary>
        public int ProjectionDim { get; }

        /// <summary>The per-channel scale (null before build).</summary>
        public Variable? Gamma { get; private set; }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            // Keras' weight broadcasts silently only when the lengths agree; anything else is a wrong model.
            if (inputShape.Rank == 0 || inputShape[-1] != ProjectionDim)
                throw new ArgumentException($"{Name}: LayerScale of projectionDim {ProjectionDim} needs inputs with {ProjectionDim} channels last, got {inputShape}.", "x");
            Gamma = AddWeight("gamma", [ProjectionDim], Initializer.Constant(InitValues));
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) => x * Gamma!;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["init_values"] = InitValues;
            c["projection_dim"] = ProjectionDim;
            return c;
        }
    }

    /// <summary>
    /// convnext.py's StochasticDepth (drop path, Huang et al. 2016): in training each example's residual is dropped
    /// whole with probability <see cref="DropPathRate"/> and the kept ones scaled by 1 / (1 - rate); at inference the
    /// identity. The draws come from NF.Random.
    /// </summary>
    public sealed class StochasticDepth : Layer
    {
        /// <summary>A drop path of <paramref name="dropPathRate"/>, in [0, 1].</summary>
        /// <exception cref="ArgumentOutOfRangeException">The rate is outside [0, 1].</exception>
        public StochasticDepth(double dropPathRate, string? name = null) : base(name) =>
            DropPathRate = dropPathRate is >= 0 and <= 1 ? dropPathRate : throw new ArgumentOutOfRangeException(
                nameof(dropPathRate), dropPathRate, $"StochasticDepth: dropPathRate must be between 0 and 1; got {dropPathRate}.");

        /// <summary>The probability of dropping an example's residual.</summary>
        public double DropPathRate { get; }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (!IsTraining) return x;
            // One draw per example, shared over its other axes (Keras' shape (batch, 1, ..., 1)).
            var mask = Enumerable.Repeat(1, x.Rank).ToArray();
            mask[0] = x.Shape[0];
            return NF.Random.Dropout(x, DropPathRate, new Shape(mask));
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["drop_path_rate"] = DropPathRate;
            return c;
        }
    }
}
