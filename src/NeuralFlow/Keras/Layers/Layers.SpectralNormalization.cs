using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Spectral normalization of a wrapped layer's kernel (<c>keras.layers.SpectralNormalization</c>,
    /// Miyato et al. 2018): in training, each call estimates the kernel's largest singular value
    /// sigma by <see cref="PowerIterations"/> steps of power iteration on the kernel reshaped to
    /// [-1, out] and writes kernel / sigma back into the kernel before the layer runs (so the
    /// gradient flows to the normalized kernel, and sigma itself is not differentiated, as in
    /// Keras 3). The iteration's vector u is a non-trainable weight updated only in training;
    /// inference uses the kernel as last normalized. An all-zero kernel is left as it is. Wraps
    /// any layer with a <c>Kernel</c> (Dense, the convolutions, EinsumDense) or <c>Embeddings</c>.
    /// </summary>
    public sealed class SpectralNormalization : Layer
    {
        private const double Epsilon = 1e-12;   // the norm floor of Keras' ops.normalize here

        /// <summary>Wraps <paramref name="layer"/>, with <paramref name="powerIterations"/> iterations per training call.</summary>
        public SpectralNormalization(Layer layer, int powerIterations = 1, string? name = null) : base(name)
        {
            Layer = layer ?? throw new ArgumentNullException(nameof(layer));
            if (powerIterations <= 0)
                throw new ArgumentOutOfRangeException(nameof(powerIterations), powerIterations, $"SpectralNormalization: power_iterations should be greater than zero. Received: power_iterations={powerIterations}.");
            PowerIterations = powerIterations;
        }

        /// <summary>The wrapped layer.</summary>
        public Layer Layer { get; }

        /// <summary>Power-iteration steps per training call.</summary>
        public int PowerIterations { get; }

        /// <summary>The power iteration's [1, out] vector (non-trainable), once built.</summary>
        public Variable? VectorU { get; private set; }

        private Variable? _kernel;

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            Layer.EnsureBuilt(inputShape);
            var type = Layer.GetType();
            _kernel = (type.GetProperty("Kernel")?.GetValue(Layer) ?? type.GetProperty("Embeddings")?.GetValue(Layer)) as Variable
                ?? throw new ArgumentException($"{Name}: {type.Name} object has no attribute 'kernel' nor 'embeddings'; SpectralNormalization wraps a layer with a kernel (Dense, Conv2D, EinsumDense, ...) or an Embedding.");
            if (_kernel.Rank < 1)
                throw new ArgumentException($"{Name}: {Layer.Name}'s kernel is a scalar; spectral normalization needs a kernel with an output axis.");
            VariableDType = _kernel.DType;
            VectorU = AddWeight("vector_u", [1, _kernel.Shape[-1]], Initializer.TruncatedNormal(stddev: 0.02), trainable: false);
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (IsTraining) Normalize();
            return Layer.Call(x);
        }

        // Keras' normalized_weights, then the assignments of its call: values only (the kernel is
        // read through StopGradient), so no tape records them.
        private void Normalize()
        {
            var kernel = NF.StopGradient(_kernel!);
            int outputs = _kernel!.Shape[-1];
            var weights = NF.Reshape(kernel, [-1, outputs]);
            Tensor u = NF.StopGradient(VectorU!), v = u;
            for (int i = 0; i < PowerIterations; i++)
            {
                v = L2Normalize(NF.MatMul(u, NF.Transpose(weights, [1, 0])), [0, 1], Epsilon * Epsilon);
                u = L2Normalize(NF.MatMul(v, weights), [0, 1], Epsilon * Epsilon);
            }
            var sigma = NF.MatMul(NF.MatMul(v, weights), NF.Transpose(u, [1, 0]));   // [1, 1]
            // Keras skips an all-zero kernel (ops.cond); a select keeps the step free of host reads.
            var zero = NF.ReduceAll(NF.Equal(kernel, 0));
            var normalized = NF.Where(zero, kernel, kernel / NF.Reshape(sigma, []));
            var newU = NF.Where(zero, NF.StopGradient(VectorU!), u);
            _kernel.Assign(normalized);
            VectorU!.Assign(newU);
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["layer"] = KerasSerialization.Serialize(Layer);
            c["power_iterations"] = PowerIterations;
            return c;
        }
    }
}
