using System.Runtime.CompilerServices;

namespace NeuralFlow;

// tf.Variable's in-place updates of part of a variable: scatter_nd_update / _add / _sub / _max /
// _min, and sliced assignment (TensorFlow's v[1:3].assign(x), NumPy's v[1:3] = x), which C# writes
// v[1..3] = x. The new value is computed by the tensor op of the same name with the tape paused,
// then written as Assign writes: like Assign these are updates, not differentiable ops.
public partial class Variable
{
    /// <summary>Writes <paramref name="updates"/> at the index tuples of <paramref name="indices"/> (<c>v.scatter_nd_update</c>; the last of duplicates wins).</summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public Variable ScatterNdUpdate(Tensor indices, Tensor updates) => Update(nameof(ScatterNdUpdate), () => NF.TensorScatterNdUpdate(this, indices, updates));

    /// <summary>Adds <paramref name="updates"/> at the index tuples of <paramref name="indices"/> (<c>v.scatter_nd_add</c>; duplicates add up).</summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public Variable ScatterNdAdd(Tensor indices, Tensor updates) => Update(nameof(ScatterNdAdd), () => NF.TensorScatterNdAdd(this, indices, updates));

    /// <summary>Subtracts <paramref name="updates"/> at the index tuples of <paramref name="indices"/> (<c>v.scatter_nd_sub</c>).</summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public Variable ScatterNdSub(Tensor indices, Tensor updates) => Update(nameof(ScatterNdSub), () => NF.TensorScatterNdSub(this, indices, updates));

    /// <summary>Keeps the larger of each value and the updates aimed at it (<c>v.scatter_nd_max</c>).</summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public Variable ScatterNdMax(Tensor indices, Tensor updates) => Update(nameof(ScatterNdMax), () => NF.TensorScatterNdMax(this, indices, updates));

    /// <summary>Keeps the smaller of each value and the updates aimed at it (<c>v.scatter_nd_min</c>).</summary>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit together, or an index is out of range.</exception>
    public Variable ScatterNdMin(Tensor indices, Tensor updates) => Update(nameof(ScatterNdMin), () => NF.TensorScatterNdMin(this, indices, updates));

    /// <summary>
    /// Reads a view of part of the variable as <see cref="Tensor.this[TensorIndex[]]"/> does; assigning
    /// writes that part in place (TensorFlow's <c>v[0, 1:].assign(x)</c>, NumPy's <c>v[0, 1:] = x</c>):
    /// ranges, steps (backwards too), positions, <see cref="NF.NewAxis"/> and <see cref="NF.Ellipsis"/>
    /// as in reading. The value must have the part's shape or broadcast to it, and the variable's dtype
    /// (a C# number is taken in it).
    /// </summary>
    /// <exception cref="ArgumentException">The value's shape does not broadcast to the part's, or its dtype differs.</exception>
    [IndexerName("Slice")]
    public new Tensor this[params TensorIndex[] indices]
    {
        get => base[indices];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            const string op = "Variable slice assignment";
            Tensor updated;
            using (Tape.Pause())
            using (var scope = TensorScope.Begin())
            {
                // The flat position of every element of the part, read through the same indexer.
                Tensor positions;
                using (NF.UseBackend(Backend)) positions = NF.Reshape(NF.Range(0L, Count), Shape.ToArray());
                var part = positions[indices];
                if (!value.Shape.BroadcastsTo(part.Shape))
                    throw new ArgumentException($"{op}: a value of shape {value.Shape} does not fit the part of shape {part.Shape} (variable of shape {Shape}).", nameof(value));
                var typed = InDType(op, value);   // a conversion is made in the scope, which disposes it
                var flat = NF.TensorScatterNdUpdate(NF.Reshape(this, [-1]), NF.Reshape(part, [-1, 1]), NF.Reshape(NF.BroadcastTo(typed, part.Shape), [-1]));
                updated = scope.Keep(NF.Reshape(flat, Shape.ToArray()));
            }
            using (updated) Write(op, updated, exact: true);
        }
    }

    private Variable Update(string op, Func<Tensor> compute)
    {
        Tensor value;
        using (Tape.Pause()) value = compute();
        using (value) Write(op, value, exact: true);
        return this;
    }
}
