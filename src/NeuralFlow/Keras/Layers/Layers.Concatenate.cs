using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Joins its inputs along <paramref name="axis"/> (<c>tf.keras.layers.Concatenate</c>, default
    /// the last axis); every other axis must match.
    /// </summary>
    public sealed class Concatenate(int axis = -1, string? name = null) : Merge(name)
    {
        /// <summary>False: the inputs are taken as given (Keras' Concatenate does not expand ranks).</summary>
        private protected override bool AlignsRanks => false;

        /// <summary>The axis the inputs are joined along (negative counts from the end).</summary>
        public int Axis { get; } = axis;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            return c;
        }

        /// <inheritdoc/>
        protected override void CheckShapes(IReadOnlyList<Tensor> inputs)
        {
            int rank = inputs[0].Rank;
            int axis = Axis < 0 ? Axis + rank : Axis;
            bool fits = axis >= 0 && axis < rank && inputs.All(t => t.Rank == rank);
            for (int d = 0; fits && d < rank; d++)
                fits = d == axis || inputs.All(t => t.Shape[d] == inputs[0].Shape[d]);
            if (!fits)
                throw new ArgumentException(
                    $"{Name} (Concatenate) joins along axis {Axis} inputs whose other axes match, but got shapes {string.Join(", ", inputs.Select(t => t.Shape.ToString()))}.", nameof(inputs));
        }

        // Keras' compute_output_shape: the inputs' lengths on the axis added up (unknown where one is), the other axes
        // as they all have them. Axes that differ, or the batch axis, are left to the run on zeros.
        private protected override (int?[] Output, int?[] BuildShape)? ShapeRuleOfList(int?[][] inputShapes)
        {
            int rank = inputShapes[0].Length;
            int axis = Axis < 0 ? Axis + rank : Axis;
            if (inputShapes.Length < MinInputs || axis <= 0 || axis >= rank || inputShapes.Any(s => s.Length != rank)) return null;
            for (int d = 0; d < rank; d++)
                if (d != axis && inputShapes.Any(s => s[d] != inputShapes[0][d])) return null;
            var output = (int?[])inputShapes[0].Clone();
            long length = 0;
            foreach (var s in inputShapes) length += s[axis] ?? (long)int.MaxValue + 1;
            output[axis] = length <= int.MaxValue ? (int)length : null;
            return (output, inputShapes[0]);
        }

        /// <summary>
        /// Keras' Concatenate.compute_mask: each input's mask (all true for an unmasked input)
        /// widened to the input's shape, joined along <see cref="Axis"/>, then any over the last
        /// axis; none when no input has a mask.
        /// </summary>
        public override Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
        {
            ArgumentNullException.ThrowIfNull(masks);
            if (masks.Count != inputs.Count)
                throw new ArgumentException($"{Name}: {masks.Count} masks for {inputs.Count} inputs.", nameof(masks));
            if (masks.All(m => m is null)) return null;
            var full = inputs.Select((x, i) =>
            {
                if (masks[i] is not { } m) return NF.Fill(x.Shape, 1, DType.Bool, x.Backend);
                var mask = CheckedMask(x, m, Name);
                while (mask.Rank < x.Rank) mask = NF.ExpandDims(mask, -1);
                return NF.LogicalOr(mask, NF.Fill(x.Shape, 0, DType.Bool, x.Backend));
            }).ToArray();
            return NF.ReduceAny(NF.Concat(full, Axis < 0 ? Axis + inputs[0].Rank : Axis), -1);
        }

        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => NF.Concat(inputs, Axis < 0 ? Axis + inputs[0].Rank : Axis);
    }
}
