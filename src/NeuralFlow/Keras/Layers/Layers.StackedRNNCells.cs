using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Several cells as one (<c>keras.layers.StackedRNNCells</c>): at each step the first cell reads
    /// the input, each next cell the output of the one before, and the step's output is the last
    /// cell's. The states are every cell's states, first cell's first (Keras 3's flat order), so an
    /// <see cref="RNN"/> of stacked cells equals a stack of RNN layers with returnSequences on all but
    /// the last. <c>RNN(list of cells)</c> makes one.
    /// </summary>
    public sealed class StackedRNNCells : RNNCell
    {
        private readonly RNNCell[] _cells;

        /// <summary>Stacks <paramref name="cells"/> (at least one), in order.</summary>
        public StackedRNNCells(IReadOnlyList<RNNCell> cells, string? name = null) : base(name)
        {
            ArgumentNullException.ThrowIfNull(cells);
            if (cells.Count == 0) throw new ArgumentException("StackedRNNCells: cells must hold at least one cell.", nameof(cells));
            if (cells.Any(c => c is null)) throw new ArgumentNullException(nameof(cells), "StackedRNNCells: a cell is null.");
            if (cells.Distinct(ReferenceEqualityComparer.Instance).Count() != cells.Count)
                throw new ArgumentException("StackedRNNCells: a cell appears twice; each step of the stack needs its own cell (and weights).", nameof(cells));
            _cells = [.. cells];
        }

        /// <summary>The cells, first (reading the input) to last (giving the output).</summary>
        public IReadOnlyList<RNNCell> Cells => _cells;

        /// <inheritdoc/>
        public override IReadOnlyList<int> StateSize => _cells.SelectMany(c => c.StateSize).ToArray();

        /// <inheritdoc/>
        public override int OutputSize => _cells[^1].OutputSize;

        internal override DType StateDType => _cells[0].StateDType;

        // The first cell reads the input; the states are each cell's, in order (convolutional cells' feature maps too).
        internal override int StepRank => _cells[0].StepRank;

        internal override string StepLayout => _cells[0].StepLayout;

        internal override Shape StepOutputShape(int batch) => _cells[^1].StepOutputShape(batch);

        internal override Shape StateShape(int batch, int index)
        {
            foreach (var cell in _cells)
            {
                if (index < cell.StateSize.Count) return cell.StateShape(batch, index);
                index -= cell.StateSize.Count;
            }
            throw new ArgumentOutOfRangeException(nameof(index), $"{Name}: the stack has {StateSize.Count} states.");
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["cells"] = new JsonArray(_cells.Select(cell => (JsonNode)KerasSerialization.Serialize(cell)).ToArray());
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            // Each cell reads the one before's output: [batch, its output size], or a convolutional cell's feature map.
            var step = inputShape;
            foreach (var cell in _cells)
            {
                cell.EnsureBuilt(step);
                step = cell.StepOutputShape(inputShape[0]);
            }
        }

        /// <inheritdoc/>
        protected override (Tensor Output, Tensor[] States) Forward(Tensor input, IReadOnlyList<Tensor> states) =>
            BeginSteps(input.Shape[0])(input, [.. states]);

        internal override Func<int, Tensor[], (Tensor Output, Tensor[] States)> BeginSequence(Tensor x)
        {
            // The first cell reads the whole sequence (a built-in cell projects every step at once); the others one output at a time.
            var chain = Chain(x.Shape[0], _cells[0].BeginSequence(x));
            return (t, states) => chain(t, states, null);
        }

        internal override Func<Tensor, Tensor[], (Tensor Output, Tensor[] States)> BeginSteps(int batch)
        {
            var chain = Chain(batch, null);
            return (input, states) => chain(0, states, input);
        }

        // One step of the stack, each cell on its own slice of the states: the first cell by `first` (step t of a whole
        // sequence) when given, else like the others, on the input passed.
        private Func<int, Tensor[], Tensor?, (Tensor Output, Tensor[] States)> Chain(int batch, Func<int, Tensor[], (Tensor Output, Tensor[] States)>? first)
        {
            var steps = _cells.Select((c, i) => i == 0 && first is not null ? null : c.BeginSteps(batch)).ToArray();
            return (t, states, input) =>
            {
                var next = new List<Tensor>(states.Length);
                int at = 0;
                Tensor output = input!;
                for (int i = 0; i < _cells.Length; i++)
                {
                    int n = _cells[i].StateSize.Count;
                    var own = states[at..(at + n)];
                    (output, var updated) = steps[i] is { } step ? step(output, own) : first!(t, own);
                    next.AddRange(updated);
                    at += n;
                }
                return (output, [.. next]);
            };
        }
    }
}
