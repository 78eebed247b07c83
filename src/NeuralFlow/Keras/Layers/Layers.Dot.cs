using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// The batched dot product of two inputs (<c>keras.layers.Dot</c>): for each sample, the sum
    /// over axis <c>axes[0]</c> of the first input times axis <c>axes[1]</c> of the second
    /// (Keras' <c>batch_dot</c>). The result keeps the first input's other axes, then the second's;
    /// two rank-2 inputs give (batch, 1). With <c>normalize</c>, each input is first
    /// L2-normalized along its dot axis, so two vectors give their cosine similarity.
    /// </summary>
    public sealed class Dot : Merge
    {
        /// <summary>A Dot over the same axis of both inputs (negative counts from the end of each).</summary>
        public Dot(int axes, bool normalize = false, string? name = null) : this([axes, axes], normalize, name) { }

        /// <summary>A Dot over axis <c>axes[0]</c> of the first input and <c>axes[1]</c> of the second.</summary>
        public Dot(int[] axes, bool normalize = false, string? name = null) : base(name)
        {
            ArgumentNullException.ThrowIfNull(axes);
            Axes = axes.Length switch
            {
                1 => [axes[0], axes[0]],
                2 => axes.ToArray(),
                _ => throw new ArgumentException($"Dot: axes must be one axis or a pair of axes, got [{string.Join(", ", axes)}].", nameof(axes)),
            };
            Normalize = normalize;
        }

        /// <summary>The contracted axis of each input (as given; negative ones count from the end).</summary>
        public IReadOnlyList<int> Axes { get; }

        /// <summary>Whether each input is L2-normalized along its axis first.</summary>
        public bool Normalize { get; }

        /// <inheritdoc/>
        protected override int MaxInputs => 2;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axes"] = new JsonArray(Axes.Select(a => (JsonNode)a).ToArray());
            c["normalize"] = Normalize;
            return c;
        }

        /// <summary>False: the inputs are taken as given (Keras' Dot does not expand ranks).</summary>
        private protected override bool AlignsRanks => false;

        /// <summary>Both axes made non-negative for inputs of these ranks (Keras: axis % ndim).</summary>
        internal (int A, int B) AxesFor(int rankA, int rankB) => (Axes[0] < 0 ? Axes[0] + rankA : Axes[0], Axes[1] < 0 ? Axes[1] + rankB : Axes[1]);

        /// <inheritdoc/>
        protected override void CheckShapes(IReadOnlyList<Tensor> inputs)
        {
            var (a, b) = (inputs[0], inputs[1]);
            if (a.Rank < 2 || b.Rank < 2)
                throw new ArgumentException($"{Name} (Dot) needs inputs of shape (batch, ...) with at least two axes, got {a.Shape} and {b.Shape}.", nameof(inputs));
            var (ia, ib) = AxesFor(a.Rank, b.Rank);
            if (ia <= 0 || ia >= a.Rank || ib <= 0 || ib >= b.Rank)
                throw new ArgumentException($"{Name} (Dot): axes [{string.Join(", ", Axes)}] must name axes other than the batch axis 0 of inputs of shape {a.Shape} and {b.Shape}.", nameof(inputs));
            if (a.Shape[ia] != b.Shape[ib])
                throw new ArgumentException($"{Name} (Dot): incompatible input shapes: axis values {a.Shape[ia]} (at axis {ia}) != {b.Shape[ib]} (at axis {ib}). Full input shapes: {a.Shape}, {b.Shape}.", nameof(inputs));
            if (a.Shape[0] != b.Shape[0])
                throw new ArgumentException($"{Name} (Dot): the inputs' batch sizes differ: {a.Shape} and {b.Shape}.", nameof(inputs));
        }

        // Keras' compute_output_shape: the first input's axes but the contracted one, then the second's but its batch
        // and contracted axes ((batch, 1) where nothing else is left). Contracted lengths that differ or are unknown
        // on one side only are left to the run on zeros, which refuses them.
        private protected override (int?[] Output, int?[] BuildShape)? ShapeRuleOfList(int?[][] inputShapes)
        {
            if (inputShapes.Length != 2) return null;
            var (a, b) = (inputShapes[0], inputShapes[1]);
            if (a.Length < 2 || b.Length < 2 || a[0] != b[0]) return null;
            var (ia, ib) = AxesFor(a.Length, b.Length);
            if (ia <= 0 || ia >= a.Length || ib <= 0 || ib >= b.Length || a[ia] != b[ib]) return null;
            var rest = a.Where((_, d) => d != ia).Concat(b.Where((_, d) => d != 0 && d != ib)).ToArray();
            return (rest.Length == 1 ? [rest[0], 1] : rest, a);
        }

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs)
        {
            var (a, b) = ComputeTypes(inputs[0], inputs[1]);
            var (ia, ib) = AxesFor(a.Rank, b.Rank);
            if (Normalize)
            {
                if (!a.DType.IsFloating()) (a, b) = (NF.Cast(a, DType.Float32), NF.Cast(b, DType.Float32));
                a = L2Normalize(a, [ia], DotPlan.NormFloor);
                b = L2Normalize(b, [ib], DotPlan.NormFloor);
            }
            var plan = DotPlan.For(a.Shape.ToArray(), ia, b.Shape.ToArray(), ib);
            // [B, P, K] @ [B, K, Q]: the first input's contracted axis moved last, the second's to axis 1.
            var left = NF.Reshape(NF.Transpose(a, plan.PermA), [plan.Batch, -1, plan.K]);
            var right = NF.Reshape(NF.Transpose(b, plan.PermB), [plan.Batch, plan.K, -1]);
            // MatMul is exact on integers too (Keras' docstring dots np.arange arrays).
            return NF.Reshape(NF.MatMul(left, right), plan.Output);
        }

        /// <summary>
        /// The inputs in the type Keras computes them in: integers stay integers (the dot of two
        /// int64 arrays is int64), an integer input beside a float one takes the float's type, and
        /// a normalized dot (cosine proximity) of integers is float32, Keras' floatx.
        /// </summary>
        private static (Tensor A, Tensor B) ComputeTypes(Tensor a, Tensor b)
        {
            if (a.DType.IsFloating() && b.DType.IsFloating()) return (a, b);
            if (!a.DType.IsFloating() && !b.DType.IsFloating())
                return a.DType == b.DType && a.DType is DType.Int32 or DType.Int64 ? (a, b) : (NF.Cast(a, DType.Int64), NF.Cast(b, DType.Int64));
            var target = a.DType.IsFloating() ? a.DType : b.DType;
            return (a.DType == target ? a : NF.Cast(a, target), b.DType == target ? b : NF.Cast(b, target));
        }
    }

    /// <summary>
    /// How <see cref="Dot"/> (and its ONNX export) lays out Keras' batch_dot: the permutations that
    /// move the contracted axes, and the output shape (two rank-2 inputs give (batch, 1)).
    /// </summary>
    internal readonly record struct DotPlan(int[] PermA, int[] PermB, int Batch, int K, int[] Output)
    {
        /// <summary>Keras' epsilon squared: the floor of a squared norm before its root.</summary>
        public const double NormFloor = 1e-14;

        public static DotPlan For(int[] a, int ia, int[] b, int ib)
        {
            var permA = Enumerable.Range(0, a.Length).Where(d => d != ia).Append(ia).ToArray();
            var permB = new[] { 0, ib }.Concat(Enumerable.Range(1, b.Length - 1).Where(d => d != ib)).ToArray();
            var rest = a.Where((_, d) => d != ia).Concat(b.Where((_, d) => d != 0 && d != ib)).ToArray();
            return new DotPlan(permA, permB, a[0], a[ia], rest.Length == 1 ? [rest[0], 1] : rest);
        }
    }
}
