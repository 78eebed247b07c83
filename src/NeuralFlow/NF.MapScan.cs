namespace NeuralFlow;

// keras.ops.map / vectorized_map / scan / associative_scan: functions applied along an axis.
// Map and Scan are C# loops over the slices of axis 0 (their gradients are those of the slicing,
// the user's ops and the stacking); they read no tensor on the host, so NF.Function traces them
// (unrolled) and replays them. AssociativeScan is the log-depth Hillis-Steele scan: about
// log2(n) calls of f on whole shifted slices, so f must work elementwise over the scanned axis.
// When axis 0 is empty, Map and Scan cannot learn their outputs' shapes from a call, so they call
// f once on zeros of one slice's shape (as Keras infers output specs) with every tape paused.
public static partial class NF
{
    /// <summary>
    /// f applied to each slice of <paramref name="xs"/> along axis 0, the results stacked along a new
    /// axis 0 (<c>keras.ops.map</c>, <c>jax.lax.map</c>). Every call of f must return the same shape
    /// and dtype. An empty axis 0 gives an empty result (f is called once on zeros to learn its shape).
    /// </summary>
    /// <exception cref="ArgumentException">xs is a scalar.</exception>
    /// <exception cref="InvalidOperationException">f returns null, or different shapes or dtypes for different slices.</exception>
    public static Tensor Map(Func<Tensor, Tensor> f, Tensor xs)
    {
        ArgumentNullException.ThrowIfNull(f);
        return MapSlices(nameof(Map), x => [f(x[0])], [xs])[0];
    }

    /// <summary>
    /// f applied to the i-th slices of all of <paramref name="xs"/> (which share the length of axis 0),
    /// each of its results stacked along a new axis 0 (<c>keras.ops.map</c> over a list).
    /// </summary>
    /// <exception cref="ArgumentException">xs is empty, holds a scalar, or its tensors differ in the length of axis 0.</exception>
    /// <exception cref="InvalidOperationException">f returns different numbers, shapes or dtypes of results for different slices.</exception>
    public static Tensor[] Map(Func<Tensor[], Tensor[]> f, Tensor[] xs)
    {
        ArgumentNullException.ThrowIfNull(f);
        return MapSlices(nameof(Map), f, xs);
    }

    /// <summary>
    /// <c>keras.ops.vectorized_map</c>: the same as <see cref="Map(Func{Tensor, Tensor}, Tensor)"/>
    /// (NeuralFlow runs it as a loop over the slices; the result is the same as a vectorized one).
    /// </summary>
    /// <exception cref="ArgumentException">elements is a scalar.</exception>
    /// <exception cref="InvalidOperationException">function returns different shapes or dtypes for different slices.</exception>
    public static Tensor VectorizedMap(Func<Tensor, Tensor> function, Tensor elements)
    {
        ArgumentNullException.ThrowIfNull(function);
        return MapSlices(nameof(VectorizedMap), x => [function(x[0])], [elements])[0];
    }

    /// <summary><c>keras.ops.vectorized_map</c> over a list of tensors: function receives the i-th slice of each (see <see cref="Map(Func{Tensor[], Tensor[]}, Tensor[])"/>).</summary>
    /// <exception cref="ArgumentException">elements is empty, holds a scalar, or its tensors differ in the length of axis 0.</exception>
    /// <exception cref="InvalidOperationException">function returns different numbers, shapes or dtypes of results for different slices.</exception>
    public static Tensor[] VectorizedMap(Func<Tensor[], Tensor[]> function, Tensor[] elements)
    {
        ArgumentNullException.ThrowIfNull(function);
        return MapSlices(nameof(VectorizedMap), function, elements);
    }

    /// <summary>
    /// Loops f(carry, x) -&gt; (carry, y) over the slices x of <paramref name="xs"/> along axis 0
    /// (<c>keras.ops.scan</c>, <c>jax.lax.scan</c>) and returns the final carry and the ys stacked along
    /// axis 0. Without xs, f runs <paramref name="length"/> times with x null. <paramref name="reverse"/>
    /// runs from the last slice to the first; ys stay aligned with xs. The carry keeps its shape and dtype;
    /// f may return a null y on every call (ys is then null). Keras' <c>unroll</c> is not taken: eager loops are always unrolled.
    /// </summary>
    /// <exception cref="ArgumentException">Neither xs nor length is given, they disagree, length is negative, or xs is a scalar.</exception>
    /// <exception cref="InvalidOperationException">f changes the carry's shape or dtype, or returns ys of different shapes, dtypes or nullness.</exception>
    public static (Tensor Carry, Tensor? Ys) Scan(Func<Tensor, Tensor?, (Tensor Carry, Tensor? Y)> f, Tensor init, Tensor? xs = null,
                                                  int? length = null, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(init);
        var (carry, ys) = ScanSlices(
            (c, x) =>
            {
                var (nc, y) = f(c[0], x?[0]);
                return ([nc], y is null ? null : [y]);
            },
            [init], xs is null ? null : [xs], length, reverse);
        return (carry[0], ys?[0]);
    }

    /// <summary>
    /// <see cref="Scan(Func{Tensor, Tensor, ValueTuple{Tensor, Tensor}}, Tensor, Tensor, int?, bool)"/>
    /// with several carries and several xs (the i-th slices of each) and ys; f returns null ys on every
    /// call or never. xs null: <paramref name="length"/> iterations with x null.
    /// </summary>
    /// <exception cref="ArgumentException">Neither xs nor length is given, they disagree, or the xs differ in length.</exception>
    /// <exception cref="InvalidOperationException">f changes the carries' number, shapes or dtypes, or returns inconsistent ys.</exception>
    public static (Tensor[] Carry, Tensor[]? Ys) Scan(Func<Tensor[], Tensor[]?, (Tensor[] Carry, Tensor[]? Ys)> f, Tensor[] init, Tensor[]? xs = null,
                                                      int? length = null, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        return ScanSlices(f, init, xs, length, reverse);
    }

    /// <summary>
    /// The inclusive scan of <paramref name="elems"/> along <paramref name="axis"/> with the associative
    /// f (<c>keras.ops.associative_scan</c>, <c>jax.lax.associative_scan</c>): element k is
    /// f(...f(f(e0, e1), e2)..., ek). f receives two tensors of equal shape holding several positions of
    /// the axis (earlier ones first) and combines them position by position; it runs about log2(n) times.
    /// <paramref name="reverse"/> scans from the end: the axis is flipped before and after.
    /// </summary>
    /// <exception cref="ArgumentException">elems is a scalar or axis is out of range.</exception>
    /// <exception cref="InvalidOperationException">f returns a different shape or dtype than it was given.</exception>
    public static Tensor AssociativeScan(Func<Tensor, Tensor, Tensor> f, Tensor elems, bool reverse = false, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        return AssociativeScan((a, b) => [f(a[0], b[0])], [elems], reverse, axis)[0];
    }

    /// <summary>
    /// The associative scan of several tensors at once (f combines lists: <c>elems</c> a list in Keras),
    /// all with the same length along <paramref name="axis"/>; see <see cref="AssociativeScan(Func{Tensor, Tensor, Tensor}, Tensor, bool, int)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">elems is empty, holds a scalar, axis is out of range, or the lengths differ.</exception>
    /// <exception cref="InvalidOperationException">f returns a different number, shape or dtype of tensors than it was given.</exception>
    public static Tensor[] AssociativeScan(Func<Tensor[], Tensor[], Tensor[]> f, Tensor[] elems, bool reverse = false, int axis = 0)
    {
        const string op = nameof(AssociativeScan);
        ArgumentNullException.ThrowIfNull(f);
        int n = LeadingLength(op, elems, "elems", axis);
        var axes = elems.Select(e => e.Shape.NormalizeAxis(axis)).ToArray();
        var cur = elems.Select((e, k) => reverse ? Reverse(e, axes[k]) : Identity(e)).ToArray();
        for (int d = 1; d < n; d *= 2)
        {
            // After this round, position i combines the 2d positions up to i (fewer near the start).
            var earlier = cur.Select((c, k) => SliceAxis(c, axes[k], 0, n - d)).ToArray();
            var later = cur.Select((c, k) => SliceAxis(c, axes[k], d, n - d)).ToArray();
            var combined = CheckLoopOutputs(op, "f", earlier, f(earlier, later));
            cur = cur.Select((c, k) => Concat([SliceAxis(c, axes[k], 0, d), combined[k]], axes[k])).ToArray();
        }
        return reverse ? cur.Select((c, k) => Reverse(c, axes[k])).ToArray() : cur;
    }

    private static Tensor[] MapSlices(string op, Func<Tensor[], Tensor[]> f, Tensor[] xs)
    {
        int n = LeadingLength(op, xs, "xs", 0);
        if (n == 0)
        {
            Tensor[] probe;
            using (Tape.Pause()) probe = f(FirstSlicesOfZeros(xs));
            return EmptyStacks(op, probe);
        }
        var slices = xs.Select(x => Unstack(x)).ToArray();
        var ys = new Tensor[n][];
        for (int i = 0; i < n; i++)
        {
            var y = f(slices.Select(s => s[i]).ToArray());
            ys[i] = i == 0 ? CheckSlices(op, y) : CheckLoopOutputs(op, "the function", ys[0], y);
        }
        return Enumerable.Range(0, ys[0].Length).Select(k => Stack(ys.Select(y => y[k]).ToArray())).ToArray();
    }

    private static (Tensor[] Carry, Tensor[]? Ys) ScanSlices(Func<Tensor[], Tensor[]?, (Tensor[] Carry, Tensor[]? Ys)> f, Tensor[] init, Tensor[]? xs,
                                                            int? length, bool reverse)
    {
        const string op = nameof(Scan);
        CheckLoopInputs(op, init, "init");
        if (xs is null && length is null) throw new ArgumentException("Scan: give xs or length (the number of iterations).", nameof(length));
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "Scan: length must be non-negative.");
        int n = xs is null ? length!.Value : LeadingLength(op, xs, "xs", 0);
        if (length is { } given && given != n)
            throw new ArgumentException($"Scan: length is {given} but xs have {n} slices along axis 0.", nameof(length));
        var slices = xs?.Select(x => Unstack(x)).ToArray();
        var carry = init;
        var ys = new Tensor[]?[n];
        Tensor[]? firstYs = null;
        for (int step = 0; step < n; step++)
        {
            int i = reverse ? n - 1 - step : step;
            var (next, y) = f(carry, slices?.Select(s => s[i]).ToArray());
            carry = CheckLoopOutputs(op, "f", init, next);
            if (step > 0 && (y is null) != (firstYs is null))
                throw new InvalidOperationException("Scan: f returned ys on some calls and null on others; return them on every call or never.");
            if (y is not null) ys[i] = firstYs is null ? firstYs = CheckSlices(op, y) : CheckLoopOutputs(op, "f", firstYs, y);
        }
        if (n == 0)
        {
            // f never ran: one call on zeros tells whether there are ys and their shapes.
            Tensor[]? probe;
            using (Tape.Pause()) probe = f(init, xs is null ? null : FirstSlicesOfZeros(xs)).Ys;
            return (init, probe is null ? null : EmptyStacks(op, probe));
        }
        if (firstYs is null) return (carry, null);
        return (carry, Enumerable.Range(0, firstYs.Length).Select(k => Stack(ys.Select(y => y![k]).ToArray())).ToArray());
    }

    // The length of `axis` that every tensor in xs shares.
    private static int LeadingLength(string op, Tensor[] xs, string name, int axis)
    {
        CheckLoopInputs(op, xs, name);
        if (xs.Length == 0) throw new ArgumentException($"{op}: {name} is empty; give at least one tensor.", name);
        int n = -1;
        for (int k = 0; k < xs.Length; k++)
        {
            if (xs[k].Rank == 0) throw new ArgumentException($"{op}: {name}[{k}] is a scalar; it needs an axis to run along.", name);
            if (axis < -xs[k].Rank || axis >= xs[k].Rank)
                throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{op}: axis {axis} is out of range for {name}[{k}] of shape {xs[k].Shape}.");
            int len = xs[k].Shape[xs[k].Shape.NormalizeAxis(axis)];
            if (n >= 0 && len != n)
                throw new ArgumentException($"{op}: {name}[0] has {n} positions along axis {axis} but {name}[{k}] (shape {xs[k].Shape}) has {len}; they must match.", name);
            n = len;
        }
        return n;
    }

    private static Tensor[] CheckSlices(string op, Tensor[]? ys)
    {
        if (ys is null) throw new InvalidOperationException($"{op}: the function returned null.");
        for (int k = 0; k < ys.Length; k++)
            if (ys[k] is null) throw new InvalidOperationException($"{op}: the function returned null for result {k}.");
        return ys;
    }

    // Zeros shaped as one slice along axis 0 of each of xs: what f would have been called with.
    private static Tensor[] FirstSlicesOfZeros(Tensor[] xs) =>
        xs.Select(x => Fill(new Shape(x.Shape.ToArray()[1..]), 0, x.DType, x.Backend)).ToArray();

    // Empty stacks [0, ...] of each probe result's shape and dtype.
    private static Tensor[] EmptyStacks(string op, Tensor[]? probe) =>
        CheckSlices(op, probe).Select(p => Fill(new Shape([0, .. p.Shape.ToArray()]), 0, p.DType, p.Backend)).ToArray();
}
