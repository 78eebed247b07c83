namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A layer that combines a list of tensors into one (Keras' <c>_Merge</c>): <see cref="Add"/>,
    /// <see cref="Subtract"/>, <see cref="Multiply"/>, <see cref="Average"/>, <see cref="Maximum"/>,
    /// <see cref="Minimum"/>, <see cref="Concatenate"/>. Called on a list (<c>Call([a, b])</c>);
    /// the gradients are those of the NF ops it applies.
    /// </summary>
    public abstract class Merge(string? name) : Layer(name)
    {
        /// <summary>The fewest inputs the layer takes (2, as Keras).</summary>
        protected virtual int MinInputs => 2;

        /// <summary>The most inputs the layer takes (unbounded unless a subclass says so).</summary>
        protected virtual int MaxInputs => int.MaxValue;

        /// <summary>A merge layer takes a list: this throws, saying so.</summary>
        public override Tensor Call(Tensor x) => throw new ArgumentException(
            $"{Name} ({GetType().Name}) merges a list of tensors; call it on a list: layer.Call([a, b]).", nameof(x));

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        public override Tensor Call(IReadOnlyList<Tensor> inputs)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            if (inputs.Count < MinInputs || inputs.Count > MaxInputs)
                throw new ArgumentException(
                    $"{Name} ({GetType().Name}) needs {(MinInputs == MaxInputs ? $"exactly {MinInputs}" : $"at least {MinInputs}")} inputs, but it was called on {inputs.Count}.", nameof(inputs));
            for (int i = 0; i < inputs.Count; i++)
                if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{Name} ({GetType().Name}): input {i} is null.");
            var masks = inputs.Select(MaskOf).ToArray();
            inputs = RankAligned(inputs);
            CheckShapes(inputs);
            EnsureBuilt(inputs[0].Shape);
            // Keras' autocast of every input: a mixed model's float32 skip connection meets its float16 branch in float16.
            var y = Combine(CommonDType(inputs.Select(AutocastInput).ToArray()));
            OutputShape = y.Shape;
            if (masks.Any(m => m is not null) && ComputeMask(inputs, masks) is { } mask) SetMask(y, mask);
            return y;
        }

        /// <summary>
        /// Whether inputs of fewer axes get length-1 axes after the batch axis until every input has as many as the
        /// most (Keras' Merge.call, ops.expand_dims(x, 1) repeated), so that an (N, C) input meets an (N, H, W, C) one
        /// as NumPy's broadcasting past the batch axis has it. Concatenate and Dot take their inputs as given.
        /// </summary>
        private protected virtual bool AlignsRanks => true;

        private IReadOnlyList<Tensor> RankAligned(IReadOnlyList<Tensor> inputs)
        {
            if (!AlignsRanks) return inputs;
            int rank = inputs.Max(t => t.Rank);
            if (inputs.All(t => t.Rank == rank)) return inputs;
            // A scalar has no batch axis to keep: CheckShapes refuses it as before.
            return inputs.Select(t => t.Rank == rank || t.Rank == 0 ? t
                : NF.Reshape(t, [t.Shape[0], .. Enumerable.Repeat(1, rank - t.Rank), .. t.Shape.ToArray()[1..]])).ToArray();
        }

        /// <summary>
        /// Keras' _compute_elemwise_op_output_shape after the rank alignment of <see cref="RankAligned"/>: per axis the
        /// length other than 1 (1 where all are). Only for NeuralFlow's merges (a user's Combine may shape otherwise)
        /// and inputs they join as Keras does: the count they take, one batch, on each axis at most one length besides
        /// 1 (an unknown one with a known one, or two known ones, are left to the run on zeros, which refuses what
        /// does not broadcast).
        /// </summary>
        private protected override (int?[] Output, int?[] BuildShape)? ShapeRuleOfList(int?[][] inputShapes)
        {
            if (GetType().Assembly != typeof(Merge).Assembly || inputShapes.Length < MinInputs || inputShapes.Length > MaxInputs) return null;
            int rank = inputShapes.Max(s => s.Length);
            var aligned = inputShapes.Select(s => s.Length == rank ? s : [s[0], .. Enumerable.Repeat<int?>(1, rank - s.Length), .. s[1..]]).ToArray();
            if (aligned.Any(s => s[0] != aligned[0][0])) return null;
            var output = (int?[])aligned[0].Clone();
            for (int d = 1; d < rank; d++)
            {
                var lengths = aligned.Select(s => s[d]).Where(n => n != 1).Distinct().ToArray();
                if (lengths.Length > 1) return null;
                output[d] = lengths.Length == 0 ? 1 : lengths[0];
            }
            return (output, aligned[0]);
        }

        /// <summary>
        /// The inputs in their common dtype, as Keras 3's ops (add, concatenate, ...: result_type) promote them:
        /// the pandas tutorial's int64 binary columns beside float32 normalized ones give float32. The plain
        /// ops (NF.Add, NF.Concat, as TF's) keep refusing a mix.
        /// </summary>
        private Tensor[] CommonDType(Tensor[] inputs)
        {
            var dtype = inputs[0].DType;
            for (int i = 1; i < inputs.Length; i++)
                dtype = Engine.PromotedDType(Name, (dtype, false), (inputs[i].DType, false));
            if (Array.TrueForAll(inputs, t => t.DType == dtype)) return inputs;
            return inputs.Select(t => Engine.As(t, dtype)).ToArray();
        }

        /// <summary>
        /// The output's mask from the inputs' (Keras' Merge.compute_mask): a position is real when
        /// it is real in any input (a logical OR), and there is none unless every input has one.
        /// </summary>
        public virtual Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
        {
            ArgumentNullException.ThrowIfNull(masks);
            if (masks.Count != inputs.Count)
                throw new ArgumentException($"{Name}: {masks.Count} masks for {inputs.Count} inputs.", nameof(masks));
            if (masks.Any(m => m is null)) return null;
            var checkedMasks = masks.Select((m, i) => CheckedMask(inputs[i], m!, Name)).ToArray();
            for (int i = 1; i < checkedMasks.Length; i++)
                if (checkedMasks[i].Shape != checkedMasks[0].Shape)
                    throw new ArgumentException($"{Name}: the inputs' masks differ in shape ({string.Join(", ", checkedMasks.Select(m => m.Shape.ToString()))}).", nameof(masks));
            return Fold(checkedMasks, NF.LogicalOr);
        }

        /// <inheritdoc/>
        public override bool SupportsMasking => true;

        /// <summary>
        /// Keras' check for elementwise merges (base_merge's build and _compute_elemwise_op_output_shape): one batch
        /// size, and past it each length equal or 1 in one input (which broadcasts, as squeeze-and-excite's
        /// (N, 1, 1, C) scales meet the (N, H, W, C) map in EfficientNet's Multiply); inputs of fewer axes arrive
        /// with length-1 axes added after the batch axis (<see cref="AlignsRanks"/>). Concatenate checks all but its axis instead.
        /// </summary>
        protected virtual void CheckShapes(IReadOnlyList<Tensor> inputs)
        {
            var first = inputs[0].Shape;
            for (int i = 1; i < inputs.Count; i++)
            {
                var shape = inputs[i].Shape;
                bool fits = shape.Rank == first.Rank && (first.Rank == 0 || shape[0] == first[0]);
                for (int d = 1; fits && d < first.Rank; d++) fits = shape[d] == first[d] || shape[d] == 1 || first[d] == 1;
                if (!fits)
                    throw new ArgumentException(
                        $"{Name} ({GetType().Name}) needs inputs of one rank and batch size whose other lengths are equal or 1, but got {string.Join(", ", inputs.Select(t => t.Shape.ToString()))}.", nameof(inputs));
            }
        }

        /// <summary>The merged tensor of inputs that passed the checks.</summary>
        protected abstract Tensor Combine(IReadOnlyList<Tensor> inputs);

        /// <summary>Folds <paramref name="op"/> over the inputs, left to right.</summary>
        private protected static Tensor Fold(IReadOnlyList<Tensor> inputs, Func<Tensor, Tensor, Tensor> op)
        {
            var y = inputs[0];
            for (int i = 1; i < inputs.Count; i++) y = op(y, inputs[i]);
            return y;
        }
    }

    /// <summary>The elementwise sum of its inputs (<c>tf.keras.layers.Add</c>), as a residual connection's join.</summary>
    public sealed class Add(string? name = null) : Merge(name)
    {
        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => Fold(inputs, NF.Add);
    }

    /// <summary>The first input minus the second (<c>tf.keras.layers.Subtract</c>); exactly two inputs.</summary>
    public sealed class Subtract(string? name = null) : Merge(name)
    {
        /// <inheritdoc/>
        protected override int MaxInputs => 2;

        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => NF.Subtract(inputs[0], inputs[1]);
    }

    /// <summary>The elementwise product of its inputs (<c>tf.keras.layers.Multiply</c>).</summary>
    public sealed class Multiply(string? name = null) : Merge(name)
    {
        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => Fold(inputs, NF.Multiply);
    }

    /// <summary>The elementwise mean of its inputs (<c>tf.keras.layers.Average</c>).</summary>
    public sealed class Average(string? name = null) : Merge(name)
    {
        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => Fold(inputs, NF.Add) / inputs.Count;
    }

    /// <summary>The elementwise maximum of its inputs (<c>tf.keras.layers.Maximum</c>).</summary>
    public sealed class Maximum(string? name = null) : Merge(name)
    {
        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => Fold(inputs, NF.Maximum);
    }

    /// <summary>The elementwise minimum of its inputs (<c>tf.keras.layers.Minimum</c>).</summary>
    public sealed class Minimum(string? name = null) : Merge(name)
    {
        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => Fold(inputs, NF.Minimum);
    }
}
