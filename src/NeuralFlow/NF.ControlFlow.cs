using NeuralFlow.Backends;

namespace NeuralFlow;

// keras.ops.cond / while_loop / fori_loop / switch. NeuralFlow runs eagerly, so each is plain C#
// control flow: the predicate (or index) is read on the host and only the branch taken, or the
// iterations run, execute. Their ops are recorded like any others, so a tape differentiates
// through exactly the branch taken and the iterations run.
// Under NF.Function (tf.function), a tensor predicate, index or bound becomes one step of the plan
// (Functions/TracedControlFlow.cs): every branch, and a loop's cond and body, is traced once per
// signature, and each replay reads the predicate on the device's values (a host synchronisation)
// to run the branch taken or as many iterations as the loop makes; the function replays, equal to
// eager. Results of a Cond or Switch are then traced only as a Tensor or a Tensor[]; other result
// types, or a GradientTape recording inside the function, read the predicate on the host: the
// function runs eagerly with that reason (TracedFunction.EagerReason). ForiLoop's bounds as C#
// integers read no tensor, and are traced (the loop unrolled) and replayed.
public static partial class NF
{
    /// <summary>
    /// <paramref name="trueFn"/>() when <paramref name="pred"/> holds, else <paramref name="falseFn"/>()
    /// (<c>keras.ops.cond</c>, <c>tf.cond</c>); only that branch runs. pred is a one-element tensor:
    /// bool, or a number (nonzero holds, as Python's <c>bool</c>). Under NF.Function, with T a Tensor or a
    /// Tensor[], both branches are traced (the one not taken without running it, as tf.function does) and
    /// each replay reads pred to run one (a host synchronisation); with another T the function runs eagerly.
    /// </summary>
    /// <exception cref="ArgumentException">pred has more or fewer than one element.</exception>
    /// <exception cref="InvalidOperationException">Under NF.Function: the branches return different numbers of tensors or different dtypes.</exception>
    public static T Cond<T>(Tensor pred, Func<T> trueFn, Func<T> falseFn)
    {
        ArgumentNullException.ThrowIfNull(trueFn);
        ArgumentNullException.ThrowIfNull(falseFn);
        if (pred is not null && TracedControlFlow.Active is { } trace && TracedResult<T>())
            return FromTensors<T>(TracedControlFlow.Branches(trace, nameof(Cond), TracedControlFlow.Predicate(nameof(Cond), "pred", pred), 2,
                                                            holds => holds != 0 ? 0 : 1, b => ToTensors(b == 0 ? trueFn() : falseFn())));
        return Holds(nameof(Cond), "pred", pred) ? trueFn() : falseFn();
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the loop variables while <paramref name="cond"/> of them holds
    /// (<c>keras.ops.while_loop</c>, <c>tf.while_loop</c>), at most <paramref name="maximumIterations"/>
    /// times when given, and returns the final loop variables (the given ones if the body never ran).
    /// body returns new values of the same shapes and dtypes (TensorFlow's shape invariants); cond returns
    /// a one-element tensor, read as in <see cref="Cond"/>. Under NF.Function the loop is one step of the
    /// plan: cond and body are traced once (a body the trace does not enter is traced without running), and
    /// each replay runs them, reading cond's result on the host at each iteration (a host synchronisation).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">maximumIterations is negative.</exception>
    /// <exception cref="InvalidOperationException">body changes the number, a shape or a dtype of the loop variables, or cond returns more than one element.</exception>
    public static Tensor[] WhileLoop(Func<Tensor[], Tensor> cond, Func<Tensor[], Tensor[]> body, Tensor[] loopVars, int? maximumIterations = null)
    {
        ArgumentNullException.ThrowIfNull(cond);
        ArgumentNullException.ThrowIfNull(body);
        CheckLoopInputs(nameof(WhileLoop), loopVars, "loopVars");
        if (maximumIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(maximumIterations), maximumIterations, "WhileLoop: maximumIterations must be non-negative (null: no limit).");
        if (maximumIterations != 0 && TracedControlFlow.Active is { } trace)
            return TracedControlFlow.While(trace, nameof(WhileLoop), cond, body, loopVars, maximumIterations);
        var vars = loopVars;
        for (long i = 0; maximumIterations is null || i < maximumIterations; i++)
        {
            if (!Holds(nameof(WhileLoop), "cond's result", cond(vars))) break;
            vars = CheckLoopOutputs(nameof(WhileLoop), "body", loopVars, body(vars));
        }
        return vars;
    }

    /// <summary>A while loop over one loop variable (see <see cref="WhileLoop(Func{Tensor[], Tensor}, Func{Tensor[], Tensor[]}, Tensor[], int?)"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">maximumIterations is negative.</exception>
    /// <exception cref="InvalidOperationException">body changes the shape or dtype of the loop variable.</exception>
    public static Tensor WhileLoop(Func<Tensor, Tensor> cond, Func<Tensor, Tensor> body, Tensor loopVar, int? maximumIterations = null)
    {
        ArgumentNullException.ThrowIfNull(cond);
        ArgumentNullException.ThrowIfNull(body);
        return WhileLoop(v => cond(v[0]), v => [body(v[0])], [loopVar], maximumIterations)[0];
    }

    /// <summary>
    /// val = body(i, val) for i = lower, ..., upper - 1, starting from <paramref name="initVal"/>
    /// (<c>keras.ops.fori_loop</c>, <c>jax.lax.fori_loop</c>); i is an int32 scalar. No iteration when
    /// upper ≤ lower. The bounds are C# integers, so under NF.Function the loop is traced and replayed.
    /// </summary>
    /// <exception cref="InvalidOperationException">body changes the shape or dtype of the value.</exception>
    public static Tensor ForiLoop(int lower, int upper, Func<Tensor, Tensor, Tensor> body, Tensor initVal)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ForiLoop(lower, upper, (i, v) => [body(i, v[0])], [initVal])[0];
    }

    /// <summary>A for loop over several values (see <see cref="ForiLoop(int, int, Func{Tensor, Tensor, Tensor}, Tensor)"/>).</summary>
    /// <exception cref="InvalidOperationException">body changes the number, a shape or a dtype of the values.</exception>
    public static Tensor[] ForiLoop(int lower, int upper, Func<Tensor, Tensor[], Tensor[]> body, Tensor[] initVals)
    {
        ArgumentNullException.ThrowIfNull(body);
        CheckLoopInputs(nameof(ForiLoop), initVals, "initVals");
        return RunForiLoop(lower, upper, wide: false, null, body, initVals);
    }

    /// <summary>
    /// <see cref="ForiLoop(int, int, Func{Tensor, Tensor, Tensor}, Tensor)"/> with the bounds scalar
    /// integer tensors (<c>keras.ops.fori_loop</c> with tensor bounds, a <c>tf.while_loop</c> whose trip
    /// count is data). Under NF.Function the loop is a while loop over (i, value) traced as one step of the
    /// plan (see <see cref="WhileLoop(Func{Tensor[], Tensor}, Func{Tensor[], Tensor[]}, Tensor[], int?)"/>), so each replay takes its bounds from its own tensors.
    /// The index i has the bounds' dtype (int64 when either is int64, else int32).
    /// </summary>
    /// <exception cref="ArgumentException">A bound is not an integer tensor of one element.</exception>
    /// <exception cref="InvalidOperationException">body changes the shape or dtype of the value.</exception>
    public static Tensor ForiLoop(Tensor lower, Tensor upper, Func<Tensor, Tensor, Tensor> body, Tensor initVal)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ForiLoop(lower, upper, (i, v) => [body(i, v[0])], [initVal])[0];
    }

    /// <summary>A for loop over several values with tensor bounds (see <see cref="ForiLoop(Tensor, Tensor, Func{Tensor, Tensor, Tensor}, Tensor)"/>).</summary>
    /// <exception cref="ArgumentException">A bound is not an integer tensor of one element.</exception>
    /// <exception cref="InvalidOperationException">body changes the number, a shape or a dtype of the values.</exception>
    public static Tensor[] ForiLoop(Tensor lower, Tensor upper, Func<Tensor, Tensor[], Tensor[]> body, Tensor[] initVals)
    {
        ArgumentNullException.ThrowIfNull(body);
        CheckLoopInputs(nameof(ForiLoop), initVals, "initVals");
        CheckBound(lower, nameof(lower));
        CheckBound(upper, nameof(upper));
        bool wide = lower.DType == DType.Int64 || upper.DType == DType.Int64;
        if (TracedControlFlow.Active is { } trace && TracedForiDevice(lower, upper, initVals))
        {
            // As a while loop over (i, values): i < upper, then (i + 1, body(i, values)).
            var dtype = wide ? DType.Int64 : DType.Int32;
            var (first, end) = (Reshape(Cast(lower, dtype), NeuralFlow.Shape.Scalar), Reshape(Cast(upper, dtype), NeuralFlow.Shape.Scalar));
            return TracedControlFlow.While(trace, nameof(ForiLoop), v => Less(v[0], end),
                v => [Add(v[0], OnesLike(v[0])), .. CheckLoopOutputs(nameof(ForiLoop), "body", initVals, body(v[0], v[1..]))],
                [first, .. initVals], null)[1..];
        }
        long from = LoopBound(lower, nameof(lower)), to = LoopBound(upper, nameof(upper));
        return RunForiLoop(from, to, wide, lower.Backend, body, initVals);
    }

    // The loop itself: i (int64 when wide, else int32) from `from` to `to` - 1.
    private static Tensor[] RunForiLoop(long from, long to, bool wide, IBackend? indexBackend, Func<Tensor, Tensor[], Tensor[]> body, Tensor[] initVals)
    {
        var vals = initVals;
        // The index lives where the values do, so that a body adding it stays on one device.
        var where = initVals.Length > 0 ? initVals[0].Backend : indexBackend;
        using (where is null ? null : UseBackend(where))
            for (long i = from; i < to; i++)
                vals = CheckLoopOutputs(nameof(ForiLoop), "body", initVals, body(wide ? Constant(i) : Constant((int)i), vals));
        return vals;
    }

    // A loop bound: a one-element integer tensor.
    private static void CheckBound(Tensor bound, string name)
    {
        ArgumentNullException.ThrowIfNull(bound, name);
        if (!bound.DType.IsInteger() || bound.Count != 1)
            throw new ArgumentException($"ForiLoop: {name} must be an integer scalar tensor, got {bound.DType.Name()} of shape {bound.Shape}.", name);
    }

    // A traced ForiLoop's index lives with its bounds: they must be where the values are, as the eager index is.
    private static bool TracedForiDevice(Tensor lower, Tensor upper, Tensor[] initVals)
    {
        var where = FunctionTrace.Unwrap((initVals.Length > 0 ? initVals[0] : lower).Backend);
        return ReferenceEquals(FunctionTrace.Unwrap(lower.Backend), where) && ReferenceEquals(FunctionTrace.Unwrap(upper.Backend), where);
    }

    // A loop bound, read on the host.
    private static long LoopBound(Tensor bound, string name)
    {
        CheckBound(bound, name);
        using var asLong = Cast(bound, DType.Int64);
        return asLong.Item<long>();
    }

    /// <summary>
    /// branches[index](operands) (<c>keras.ops.switch</c>, <c>jax.lax.switch</c>): only that branch
    /// runs. An index outside the branches is clamped to the first or last, as in Keras.
    /// </summary>
    /// <exception cref="ArgumentException">branches is empty or holds null.</exception>
    public static T Switch<T>(int index, IReadOnlyList<Func<Tensor[], T>> branches, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(branches);
        ArgumentNullException.ThrowIfNull(operands);
        if (branches.Count == 0) throw new ArgumentException("Switch: branches is empty; give at least one function.", nameof(branches));
        var branch = branches[Math.Clamp(index, 0, branches.Count - 1)]
            ?? throw new ArgumentException($"Switch: branch {Math.Clamp(index, 0, branches.Count - 1)} is null.", nameof(branches));
        return branch(operands);
    }

    /// <summary>
    /// branches[index](operands) with the index a one-element integer tensor; clamped as in
    /// <see cref="Switch{T}(int, IReadOnlyList{Func{Tensor[], T}}, Tensor[])"/>. Under NF.Function, with T a Tensor or a
    /// Tensor[], every branch is traced (those not taken without running) and each replay reads the index to run one
    /// (a host synchronisation); with another T the function runs eagerly.
    /// </summary>
    /// <exception cref="ArgumentException">index is not an integer tensor of one element, or branches is empty (or, traced, holds null).</exception>
    /// <exception cref="InvalidOperationException">Under NF.Function: the branches return different numbers of tensors or different dtypes.</exception>
    public static T Switch<T>(Tensor index, IReadOnlyList<Func<Tensor[], T>> branches, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (!index.DType.IsInteger() || index.Count != 1)
            throw new ArgumentException($"Switch: index must be an integer scalar, got {index.DType.Name()} of shape {index.Shape}.", nameof(index));
        ArgumentNullException.ThrowIfNull(branches);
        ArgumentNullException.ThrowIfNull(operands);
        if (TracedControlFlow.Active is { } trace && TracedResult<T>())
        {
            if (branches.Count == 0) throw new ArgumentException("Switch: branches is empty; give at least one function.", nameof(branches));
            for (int b = 0; b < branches.Count; b++)
                if (branches[b] is null) throw new ArgumentException($"Switch: branch {b} is null.", nameof(branches));
            return FromTensors<T>(TracedControlFlow.Branches(trace, nameof(Switch), Aliasing.PackedAs(index, DType.Int64), branches.Count,
                                                            at => (int)Math.Clamp(at, 0, branches.Count - 1), b => ToTensors(branches[b](operands))));
        }
        long at;
        using (var wide = Cast(index, DType.Int64)) at = wide.Item<long>();
        return Switch((int)Math.Clamp(at, int.MinValue, int.MaxValue), branches, operands);
    }

    // The result types a traced Cond or Switch handles: its outputs are the step's.
    private static bool TracedResult<T>() => typeof(T) == typeof(Tensor) || typeof(T) == typeof(Tensor[]);

    private static Tensor[] ToTensors<T>(T result) => result switch
    {
        Tensor t => [t],
        Tensor[] ts => ts,
        _ => null!,  // null: TracedControlFlow names the branch
    };

    private static T FromTensors<T>(Tensor[] results) => typeof(T) == typeof(Tensor) ? (T)(object)results[0] : (T)(object)results;

    // Whether a one-element predicate holds (nonzero, NaN included, as Python's bool).
    internal static bool Holds(string op, string what, Tensor? pred)
    {
        if (pred is null) throw new InvalidOperationException($"{op}: {what} is null; it must be a one-element tensor.");
        if (pred.Count != 1)
            throw new ArgumentException($"{op}: {what} must be a scalar (one element), got shape {pred.Shape}.");
        if (pred.DType == DType.Bool) return pred.Item<bool>();
        using var truth = NotEqual(pred, 0);
        return truth.Item<bool>();
    }

    private static void CheckLoopInputs(string op, Tensor[] vars, string name)
    {
        ArgumentNullException.ThrowIfNull(vars, name);
        for (int i = 0; i < vars.Length; i++)
            if (vars[i] is null) throw new ArgumentNullException(name, $"{op}: {name}[{i}] is null.");
    }

    // A loop's new values must keep the count, shapes and dtypes they entered the loop with.
    internal static Tensor[] CheckLoopOutputs(string op, string who, Tensor[] entered, Tensor[]? next)
    {
        if (next is null) throw new InvalidOperationException($"{op}: {who} returned null.");
        if (next.Length != entered.Length)
            throw new InvalidOperationException($"{op}: {who} returned {next.Length} values for {entered.Length}; it must return as many as it is given.");
        for (int i = 0; i < next.Length; i++)
        {
            var n = next[i] ?? throw new InvalidOperationException($"{op}: {who} returned null for value {i}.");
            var e = entered[i];
            if (n.Shape != e.Shape || n.DType != e.DType)
                throw new InvalidOperationException(
                    $"{op}: value {i} is {e.DType.Name()} {e.Shape} but {who} returned {n.DType.Name()} {n.Shape} for it; {who} must keep the shapes and dtypes of the values it is given.");
        }
        return next;
    }
}
