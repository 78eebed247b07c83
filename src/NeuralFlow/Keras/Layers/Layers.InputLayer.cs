using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// The start of a functional model (Keras' <c>keras.Input</c>): a symbolic tensor of examples
    /// of <paramref name="shape"/> (without the batch axis), to call layers on.
    /// <c>var inputs = Layers.Input([28, 28, 1]);</c>
    /// </summary>
    /// <param name="shape">The shape of one example, without the batch axis.</param>
    /// <param name="dtype">The element type of the inputs (null: <see cref="Config.FloatX"/>, float32 by default).</param>
    /// <param name="name">The input's name (its layer's), which keys a dictionary of inputs in <c>Fit</c>.</param>
    /// <param name="batchSize">A fixed batch size; unknown (any) when null.</param>
    /// <param name="ragged">
    /// Whether the input takes <see cref="Data.RaggedTensor"/> rows (tf.keras 2's <c>keras.Input(shape=(None,), ragged=True)</c>):
    /// the model is then fed ragged batches, and its layers see each row at its own length (see README, ragged inputs).
    /// </param>
    // Preferred where both overloads fit, so that Input([]) (Keras' shape=(), one scalar per example) compiles.
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static KerasTensor Input(int[] shape, DType? dtype = null, string? name = null, int? batchSize = null, bool ragged = false) =>
        new InputLayer(shape, dtype, batchSize, name, ragged).Output;

    /// <summary>
    /// An input whose example shape has unknown lengths (null, Keras' None), as
    /// <c>keras.Input(shape=(None, 8))</c> for sequences of any length or <c>(None,)</c> for token ids:
    /// <c>Layers.Input([null, 8])</c>. Layers called on it see the lengths of each batch; the symbolic
    /// shapes of what follows keep None where an output's length follows the input's.
    /// </summary>
    public static KerasTensor Input(int?[] shape, DType? dtype = null, string? name = null, int? batchSize = null, bool ragged = false) =>
        new InputLayer(shape, dtype, batchSize, name, ragged).Output;

    /// <summary>
    /// The layer behind <see cref="Input(int[], DType?, string?, int?, bool)"/> (Keras' <c>InputLayer</c>): the identity, holding the
    /// input's shape and dtype; it appears first in a functional model's layers and summary.
    /// </summary>
    public sealed class InputLayer : Layer
    {
        /// <summary>False: an input's dtype is its tensors' (floatx by default, as Keras' InputLayer), not a mixed policy's.</summary>
        private protected override bool TakesMixedPolicy => false;

        /// <summary>An input of examples of <paramref name="shape"/> (without the batch axis).</summary>
        [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]   // InputLayer([]): a scalar per example
        public InputLayer(int[] shape, DType? dtype = null, int? batchSize = null, string? name = null, bool ragged = false)
            : this(shape?.Select(d => (int?)d).ToArray()!, dtype, batchSize, name, ragged) { }

        /// <summary>An input of examples of <paramref name="shape"/>, null where a length is unknown (Keras' None).</summary>
        public InputLayer(int?[] shape, DType? dtype = null, int? batchSize = null, string? name = null, bool ragged = false) : base(name)
        {
            ArgumentNullException.ThrowIfNull(shape);
            if (ragged && (shape.Length == 0 || shape[0] is not null))
                throw new ArgumentException($"Input {Name}: a ragged input needs an unknown (null) first axis after the batch, its rows' lengths (Keras' shape=(None, ...)); got {KerasTensor.Format(shape)}.", nameof(shape));
            Ragged = ragged;
            if (shape.Any(d => d < 0))
                throw new ArgumentException($"Input {Name}: every dimension must be non-negative (or null for any length), got {KerasTensor.Format(shape)}.", nameof(shape));
            if (batchSize is < 1)
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"Input {Name}: batchSize must be at least 1, or null for any batch size.");
            ExampleShape = shape.Select(d => d ?? -1).ToArray();
            InputDType = dtype ?? Config.FloatXType;
            BatchSize = batchSize;
            var node = new Node(this, [], CallArgs.One);
            node.Outputs = [new KerasTensor([batchSize, .. shape], InputDType, Name, node)];
            // It has no weights to make: built as made, so a Sequential that starts with it saves
            // and exports before any call (its batch axis is the fixed size, or 1 for any; an unknown length 1).
            EnsureBuilt(new Shape([batchSize ?? 1, .. shape.Select(d => d ?? 1)]));
        }


        /// <summary>The shape of one example (without the batch axis); -1 where the length is unknown (Keras' None).</summary>
        public IReadOnlyList<int> ExampleShape { get; }

        /// <summary>The fixed batch size, or null for any.</summary>
        public int? BatchSize { get; }

        /// <summary>The element type of the inputs.</summary>
        public DType InputDType { get; }

        /// <summary>Whether the input takes ragged rows (Keras' <c>ragged=True</c>): fed <see cref="Data.RaggedTensor"/> batches.</summary>
        public bool Ragged { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["batch_input_shape"] = new JsonArray([BatchSize is { } b ? JsonValue.Create(b) : null, .. ExampleShape.Select(d => d < 0 ? null : (JsonNode)d)]);
            c["dtype"] = InputDType.Name();
            if (Ragged) c["ragged"] = true;   // Keras writes the key always; absent here it reads as false, as Keras' default
            return c;
        }

        /// <summary>
        /// The input, with Keras 3's adjustment of a rank one off (Functional._adjust_input_rank): a batch of
        /// scalars (shape (N,)) for an input of shape (1,) gains the trailing axis, and an extra trailing axis
        /// of size 1 is dropped, so a model made with <c>Layers.Input([1])</c> takes a 1-D column (the
        /// regression tutorial's <c>horsepower_model.predict(horsepower[:10])</c>).
        /// </summary>
        protected override Tensor Forward(Tensor x) => AdjustRank(x, ExampleShape.Count + 1, ExampleShape.Count > 0 ? ExampleShape[^1] : null);

        /// <summary>
        /// Keras 3's <c>_adjust_input_rank</c>, for a Sequential's input and each input of a functional model:
        /// <paramref name="x"/> with a trailing axis of size 1 added when it is one rank short of
        /// <paramref name="rank"/> (batch axis included) and the declared last dimension is 1, or its trailing
        /// axis of size 1 dropped when it is one rank over; otherwise x itself.
        /// </summary>
        internal static Tensor AdjustRank(Tensor x, int rank, int? lastDimension)
        {
            if (x.Rank == rank - 1 && rank > 1 && lastDimension == 1) return NF.ExpandDims(x, -1);
            if (x.Rank == rank + 1 && x.Shape[x.Rank - 1] == 1) return NF.Squeeze(x, -1);
            return x;
        }
    }
}
