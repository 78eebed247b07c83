namespace NeuralFlow;

// Jacobian-vector and vector-Jacobian products of a function (jax.jvp / torch.func.jvp,
// torch.autograd.functional.vjp). NeuralFlow differentiates in reverse mode only; a forward-mode
// product comes from two reverse passes (the "double-vjp trick"): g(u) = J^T u is linear in the
// cotangent u, so its own vector-Jacobian product with the tangent t is d/du <t, J^T u> = J t.
// The inner pass runs while an outer tape watching u records it, which nested tapes support for
// every op whose gradient rule is made of differentiable ops (all built-in ones are checked so).
public static partial class NF
{
    /// <summary>
    /// The output of <paramref name="f"/> at <paramref name="primals"/> and its directional
    /// derivative along <paramref name="tangents"/>, J·t (<c>jax.jvp</c>, <c>torch.func.jvp</c>):
    /// one tangent per primal, of its shape and dtype. Primals the output does not depend on add nothing;
    /// an output that depends on none gives a zero product.
    /// </summary>
    /// <exception cref="ArgumentException">The counts, shapes or dtypes of primals and tangents differ, a primal is not floating point, or f returns a non-floating-point output.</exception>
    public static (Tensor Outputs, Tensor Jvp) Jvp(Func<Tensor[], Tensor> f, Tensor[] primals, Tensor[] tangents)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckPrimals(nameof(Jvp), primals, tangents, "tangent");
        using var inner = new GradientTape(watchAccessedVariables: false);
        inner.Watch(primals);
        var y = CheckedOutput(nameof(Jvp), f(primals));
        // The outer tape sees only the backward pass: g = J^T u. The cotangent's value is
        // irrelevant (g is linear in it); only its connection to g counts.
        using var outer = new GradientTape(watchAccessedVariables: false);
        var u = ZerosLike(y);
        outer.Watch(u);
        var g = inner.Gradient(y, primals, u);
        var connected = Enumerable.Range(0, primals.Length).Where(i => g[i] is not null).ToArray();
        var jvp = outer.Gradient(connected.Select(i => g[i]).ToArray(), [u], connected.Select(i => (Tensor?)tangents[i]).ToArray(),
                                 UnconnectedGradients.Zero)[0];
        return (y, jvp);
    }

    /// <summary>The output of a function of one tensor and its derivative along <paramref name="tangent"/> (see <see cref="Jvp(Func{Tensor[], Tensor}, Tensor[], Tensor[])"/>).</summary>
    /// <exception cref="ArgumentException">primal and tangent differ in shape or dtype, or are not floating point.</exception>
    public static (Tensor Outputs, Tensor Jvp) Jvp(Func<Tensor, Tensor> f, Tensor primal, Tensor tangent)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Jvp(xs => f(xs[0]), [primal], [tangent]);
    }

    /// <summary>
    /// The output of <paramref name="f"/> at <paramref name="primals"/> and the vector-Jacobian
    /// products vᵀJ with each primal (<c>torch.autograd.functional.vjp</c>): <paramref name="cotangent"/>
    /// v has the output's shape and dtype, and may be left out for an output with one element. A primal
    /// the output does not depend on gets zeros.
    /// </summary>
    /// <exception cref="ArgumentException">A primal is not floating point, the cotangent does not match the output, or it is missing for an output of several elements.</exception>
    public static (Tensor Outputs, Tensor[] Vjp) Vjp(Func<Tensor[], Tensor> f, Tensor[] primals, Tensor? cotangent = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckPrimals(nameof(Vjp), primals, null, "");
        using var tape = new GradientTape(watchAccessedVariables: false);
        tape.Watch(primals);
        var y = CheckedOutput(nameof(Vjp), f(primals));
        if (cotangent is null && y.Count != 1)
            throw new ArgumentException($"Vjp: the output has shape {y.Shape}; give a cotangent of that shape (it may be left out only for a one-element output).", nameof(cotangent));
        if (cotangent is not null && (cotangent.Shape != y.Shape || cotangent.DType != y.DType))
            throw new ArgumentException(
                $"Vjp: the cotangent is {cotangent.DType.Name()} {cotangent.Shape} but the output is {y.DType.Name()} {y.Shape}; they must match.", nameof(cotangent));
        return (y, tape.Gradient(y, primals, cotangent, UnconnectedGradients.Zero));
    }

    private static void CheckPrimals(string op, Tensor[] primals, Tensor[]? tangents, string what)
    {
        ArgumentNullException.ThrowIfNull(primals);
        if (tangents is null && what.Length > 0) throw new ArgumentNullException(nameof(tangents));
        if (tangents is not null && tangents.Length != primals.Length)
            throw new ArgumentException($"{op}: {primals.Length} primals but {tangents.Length} {what}s; give one {what} per primal.", nameof(tangents));
        for (int i = 0; i < primals.Length; i++)
        {
            var p = primals[i] ?? throw new ArgumentNullException(nameof(primals), $"{op}: primal {i} is null.");
            if (!p.DType.IsFloating())
                throw new ArgumentException($"{op}: primal {i} is {p.DType.Name()}; only float32 and float64 primals can be differentiated.", nameof(primals));
            if (tangents is null) continue;
            var t = tangents[i] ?? throw new ArgumentNullException(nameof(tangents), $"{op}: {what} {i} is null.");
            if (t.Shape != p.Shape || t.DType != p.DType)
                throw new ArgumentException(
                    $"{op}: {what} {i} is {t.DType.Name()} {t.Shape} but primal {i} is {p.DType.Name()} {p.Shape}; they must match.", nameof(tangents));
        }
    }

    private static Tensor CheckedOutput(string op, Tensor? y)
    {
        if (y is null) throw new InvalidOperationException($"{op}: the function returned null.");
        if (!y.DType.IsFloating())
            throw new ArgumentException($"{op}: the function's output is {y.DType.Name()}; it must be float32 or float64 to be differentiated.");
        return y;
    }
}
