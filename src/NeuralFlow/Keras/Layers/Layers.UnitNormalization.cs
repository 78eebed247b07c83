using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Scales each input to unit L2 norm along <see cref="Axis"/> (<c>keras.layers.UnitNormalization</c>):
    /// x / max(‖x‖, 1e-12), Keras' <c>ops.normalize(x, axis, order=2, epsilon=1e-12)</c>. No weights.
    /// </summary>
    public sealed class UnitNormalization : Layer
    {
        /// <summary>Keras' epsilon of this layer: the smallest norm divided by.</summary>
        internal const double Epsilon = 1e-12;

        /// <summary>Normalizes along <paramref name="axis"/> (default the last).</summary>
        public UnitNormalization(int axis = -1, string? name = null) : this([axis], name) { }

        /// <summary>Normalizes over the axes together (one norm per position of the other axes).</summary>
        public UnitNormalization(int[] axis, string? name = null) : base(name)
        {
            ArgumentNullException.ThrowIfNull(axis);
            Axis = axis.Length > 0 ? axis.ToArray() : throw new ArgumentException("UnitNormalization: axis must name at least one axis.", nameof(axis));
        }

        /// <summary>The normalized axes (as given; negative count from the end).</summary>
        public IReadOnlyList<int> Axis { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis.Count == 1 ? Axis[0] : PoolingArgs.Json(Axis.ToArray());
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            var axes = Axis.Select(a => a < 0 ? a + x.Rank : a).ToArray();
            if (axes.Any(a => a < 0 || a >= x.Rank) || axes.Distinct().Count() != axes.Length)
                throw new ArgumentException($"{Name}: axis [{string.Join(", ", Axis)}] does not name distinct axes of the input {x.Shape}.", nameof(x));
            var input = x.DType.IsFloating() ? x : NF.Cast(x, ComputeDType);
            return L2Normalize(input, axes, Epsilon * Epsilon);
        }
    }

    /// <summary>
    /// x / sqrt(max(Σx², <paramref name="floorSquared"/>)) over <paramref name="axes"/>: Keras'
    /// <c>ops.normalize(order=2)</c>, x / max(‖x‖, eps), with eps² as the floor so that an
    /// all-zero vector has a finite gradient. Shared by UnitNormalization and Dot(normalize).
    /// </summary>
    internal static Tensor L2Normalize(Tensor x, int[] axes, double floorSquared) =>
        x / NF.Sqrt(NF.Maximum(NF.ReduceSum(NF.Square(x), axes, keepDims: true), floorSquared));
}
