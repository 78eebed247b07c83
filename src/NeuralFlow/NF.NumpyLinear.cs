namespace NeuralFlow;

// NumPy's products of arrays (np.tensordot, kron, cross, vdot, inner; keras.ops has them all),
// composed of Transpose, Reshape, MatMul, broadcasting products and slices, so every engine runs
// them and their gradients (of any order) are those ops'. Mixed dtypes take the wider one; bools give bool, as NumPy's.
public static partial class NF
{
    /// <summary>
    /// The sum of products over the last <paramref name="axes"/> axes of a and the first
    /// <paramref name="axes"/> of b (<c>np.tensordot(a, b, axes)</c>): 0 is the outer product, 1 the
    /// matrix product, 2 (the default) a double contraction. The result's shape is a's free axes
    /// followed by b's.
    /// </summary>
    /// <exception cref="ArgumentException">axes is negative or more than either rank, or the contracted sizes differ.</exception>
    public static Tensor Tensordot(Tensor a, Tensor b, int axes = 2)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (axes < 0 || axes > a.Rank || axes > b.Rank)
            throw new ArgumentException($"Tensordot: axes {axes} must be between 0 and the smaller rank of a (shape {a.Shape}) and b (shape {b.Shape}).", nameof(axes));
        return Tensordot(a, b, Enumerable.Range(a.Rank - axes, axes).ToArray(), Enumerable.Range(0, axes).ToArray());
    }

    /// <summary>
    /// The sum of products over axes <paramref name="axesA"/> of a paired with
    /// <paramref name="axesB"/> of b (<c>np.tensordot(a, b, ([1, 0], [0, 1]))</c>); negative axes
    /// count from the end. The result's shape is a's remaining axes followed by b's. A transpose,
    /// reshape and one MatMul.
    /// </summary>
    /// <exception cref="ArgumentException">The axis lists differ in length or repeat an axis, or paired axes differ in size.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor Tensordot(Tensor a, Tensor b, int[] axesA, int[] axesB)
    {
        const string op = nameof(Tensordot);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(axesA);
        ArgumentNullException.ThrowIfNull(axesB);
        if (axesA.Length != axesB.Length)
            throw new ArgumentException($"{op}: axesA [{string.Join(", ", axesA)}] and axesB [{string.Join(", ", axesB)}] must pair up, one axis of b for each of a.", nameof(axesB));
        var ca = DistinctAxes(op, a, axesA, nameof(axesA));
        var cb = DistinctAxes(op, b, axesB, nameof(axesB));
        for (int i = 0; i < ca.Length; i++)
            if (a.Shape[ca[i]] != b.Shape[cb[i]])
                throw new ArgumentException($"{op}: axis {axesA[i]} of a (shape {a.Shape}) has size {a.Shape[ca[i]]} but axis {axesB[i]} of b (shape {b.Shape}) has size {b.Shape[cb[i]]}; contracted axes need one size.", nameof(axesB));
        (a, b) = Engine.Promote(op, a, b);
        if (a.DType == DType.Bool) return BoolProduct(a, b, (x, y) => Tensordot(x, y, axesA, axesB));
        var freeA = Enumerable.Range(0, a.Rank).Where(d => !ca.Contains(d)).ToArray();
        var freeB = Enumerable.Range(0, b.Rank).Where(d => !cb.Contains(d)).ToArray();
        int contracted = ca.Aggregate(1, (p, d) => p * a.Shape[d]);
        // a as [free, contracted] and b as [contracted, free]: one matrix product does the sums.
        int rows = freeA.Aggregate(1, (p, d) => p * a.Shape[d]), cols = freeB.Aggregate(1, (p, d) => p * b.Shape[d]);
        var left = Reshape(Transpose(a, [.. freeA, .. ca]), [rows, contracted]);
        var right = Reshape(Transpose(b, [.. cb, .. freeB]), [contracted, cols]);
        return Reshape(MatMul(left, right), [.. freeA.Select(d => a.Shape[d]), .. freeB.Select(d => b.Shape[d])]);
    }

    /// <summary>
    /// The Kronecker product (<c>np.kron</c>): blocks of b scaled by each element of a. The shorter
    /// shape is padded with leading 1s; each axis of the result is a's size times b's, element
    /// [i·nb + j] being a[i]·b[j] per axis.
    /// </summary>
    public static Tensor Kron(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        (a, b) = Engine.Promote(nameof(Kron), a, b);
        if (a.DType == DType.Bool) return BoolProduct(a, b, Kron);
        int rank = Math.Max(a.Rank, b.Rank);
        var da = Enumerable.Repeat(1, rank - a.Rank).Concat(a.Shape.ToArray()).ToArray();
        var db = Enumerable.Repeat(1, rank - b.Rank).Concat(b.Shape.ToArray()).ToArray();
        // a as [a0, 1, a1, 1, ...] times b as [1, b0, 1, b1, ...] is [a0, b0, a1, b1, ...], whose
        // row-major merge of each pair is the Kronecker layout.
        var spreadA = Reshape(a, [.. da.SelectMany(d => new[] { d, 1 })]);
        var spreadB = Reshape(b, [.. db.SelectMany(d => new[] { 1, d })]);
        return Reshape(Multiply(spreadA, spreadB), [.. da.Select((d, i) => d * db[i])]);
    }

    /// <summary>
    /// The cross product of vectors of 2 or 3 components (<c>np.cross</c>): along
    /// <paramref name="axisa"/> of a and <paramref name="axisb"/> of b, the other axes broadcasting;
    /// the 3 components of the result go at <paramref name="axisc"/>. A 2-vector is taken as having
    /// a third component of 0, and when both are 2-vectors the result is the z component alone
    /// (without that axis). <paramref name="axis"/>, when given, sets all three axes.
    /// </summary>
    /// <exception cref="ArgumentException">A vector axis has a size other than 2 or 3, an operand is a scalar, or the other axes do not broadcast.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public static Tensor Cross(Tensor a, Tensor b, int axisa = -1, int axisb = -1, int axisc = -1, int? axis = null)
    {
        const string op = nameof(Cross);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (axis is { } all) axisa = axisb = axisc = all;
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"{op}: a (shape {a.Shape}) and b (shape {b.Shape}) must be vectors along an axis, not scalars.");
        var va = Moveaxis(a, a.Shape.NormalizeAxis(axisa, nameof(axisa)), -1);
        var vb = Moveaxis(b, b.Shape.NormalizeAxis(axisb, nameof(axisb)), -1);
        int na = va.Shape[-1], nb = vb.Shape[-1];
        if (na is not (2 or 3) || nb is not (2 or 3))
            throw new ArgumentException($"{op}: the vector axes must have 2 or 3 components, got {na} (a, shape {a.Shape}) and {nb} (b, shape {b.Shape}).");
        (va, vb) = Engine.Promote(op, va, vb);
        var x = Unstack(va, axis: -1);
        var y = Unstack(vb, axis: -1);
        var cz = Subtract(Multiply(x[0], y[1]), Multiply(x[1], y[0]));
        if (na == 2 && nb == 2) return cz;
        // A 2-vector's third component is 0: its terms drop out.
        Tensor Term(Tensor[] u, int i, Tensor[] v, int j) => Multiply(u[i], v[j]);
        Tensor cx, cy;
        if (na == 3 && nb == 3)
        {
            cx = Subtract(Term(x, 1, y, 2), Term(x, 2, y, 1));
            cy = Subtract(Term(x, 2, y, 0), Term(x, 0, y, 2));
        }
        else if (na == 2)
        {
            cx = Term(x, 1, y, 2);
            cy = Negative(Term(x, 0, y, 2));
        }
        else
        {
            cx = Negative(Term(x, 2, y, 1));
            cy = Term(x, 2, y, 0);
        }
        var shape = Engine.BroadcastShapes(op, cx.Shape, Engine.BroadcastShapes(op, cy.Shape, cz.Shape));
        var stacked = Stack([BroadcastTo(cx, shape), BroadcastTo(cy, shape), BroadcastTo(cz, shape)], -1);
        return Moveaxis(stacked, -1, stacked.Shape.NormalizeAxis(axisc, nameof(axisc)));
    }

    /// <summary>
    /// The dot product of a and b flattened (<c>np.vdot</c> for real tensors): sum(a·b) over every
    /// element, a scalar; they need the same number of elements.
    /// </summary>
    /// <exception cref="ArgumentException">a and b differ in element count.</exception>
    public static Tensor Vdot(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
            throw new ArgumentException($"Vdot: a (shape {a.Shape}, {a.Count} elements) and b (shape {b.Shape}, {b.Count} elements) must have the same number of elements.", nameof(b));
        return Tensordot(Ravel(a), Ravel(b), 1);
    }

    /// <summary>
    /// The inner product over the last axes (<c>np.inner</c>): a [..., n] and b [..., n] give
    /// a.shape[:-1] + b.shape[:-1]; a scalar operand multiplies the other.
    /// </summary>
    /// <exception cref="ArgumentException">The last axes differ in size.</exception>
    public static Tensor Inner(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0)
        {
            (a, b) = Engine.Promote(nameof(Inner), a, b);
            return a.DType == DType.Bool ? BoolProduct(a, b, Multiply) : Multiply(a, b);
        }
        if (a.Shape[-1] != b.Shape[-1])
            throw new ArgumentException($"Inner: the last axes of a (shape {a.Shape}) and b (shape {b.Shape}) must have one size.", nameof(b));
        return Tensordot(a, b, [-1], [-1]);
    }

    // NumPy's products of bool arrays are bool (np.dot of bools is an OR of ANDs, np.kron an
    // AND): the product of the 0/1 counts in int32, then whether it is nonzero.
    private static Tensor BoolProduct(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> product) =>
        NotEqual(product(Cast(a, DType.Int32), Cast(b, DType.Int32)), 0);
}
