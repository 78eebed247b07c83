using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

// The regularized incomplete gamma and beta functions (tf.math.igamma / igammac / betainc,
// torch.special.gammainc / gammaincc): the CDFs of the Gamma, Poisson, chi-squared, Beta, Student-t
// and binomial distributions. Their series and continued fractions need a number of terms that
// depends on each element, so they run on the host in double (HostSpecial, Cephes' algorithms as
// TensorFlow's and PyTorch's kernels): the inputs are read back from any engine by one host call,
// which a compiled step (NF.Function) replays with each call's values. Their derivatives in x are
// the densities, written as differentiable ops; Igamma's in a is carried through its own loops.
public static partial class NF
{
    /// <summary>
    /// The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a) (<c>tf.math.igamma(a, x)</c>,
    /// <c>torch.special.gammainc</c>), the CDF at x of a Gamma(a, 1) variable: NaN where a or x is negative, and at
    /// a = x = 0; 0 at x = 0, 1 at x = +inf. a and x broadcast; integers give float32. Computed on the host (a compiled
    /// step replays it). Gradient in x: g · x^(a-1) e^-x / Γ(a); in a TensorFlow's (igamma_grad_a: the series' or
    /// fraction's derivative, carried through the same loop), which PyTorch does not provide.
    /// </summary>
    /// <exception cref="ArgumentException">a and x do not broadcast or are on different devices.</exception>
    public static Tensor Igamma(Tensor a, Tensor x) =>
        HostElementwise(nameof(Igamma), [a, x], static v => HostSpecial.Igamma(v[0], v[1]), static (g, n) =>
            [n.Wants(0) ? ReduceTo(g * IgammaDerivativeA(n.X, n.Y), n.X.Shape) : null,
             n.Wants(1) ? ReduceTo(g * GammaDensity(n.X, n.Y), n.Y.Shape) : null]);

    /// <summary>
    /// The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) = 1 - P(a, x)
    /// (<c>tf.math.igammac(a, x)</c>, <c>torch.special.gammaincc</c>), computed so that a small Q keeps its digits
    /// (the survival function of a Gamma(a, 1) variable, the Poisson CDF Q(k + 1, λ)). NaN where a or x is
    /// negative, and at a = x = 0. Integers give float32. Read on the host. Gradient in x: -g · x^(a-1) e^-x / Γ(a);
    /// in a minus Igamma's.
    /// </summary>
    /// <exception cref="ArgumentException">a and x do not broadcast or are on different devices.</exception>
    public static Tensor Igammac(Tensor a, Tensor x) =>
        HostElementwise(nameof(Igammac), [a, x], static v => HostSpecial.Igammac(v[0], v[1]), static (g, n) =>
            [n.Wants(0) ? ReduceTo(-g * IgammaDerivativeA(n.X, n.Y), n.X.Shape) : null,
             n.Wants(1) ? ReduceTo(-g * GammaDensity(n.X, n.Y), n.Y.Shape) : null]);

    /// <summary>PyTorch's name of <see cref="Igamma"/> (<c>torch.special.gammainc(a, x)</c>).</summary>
    public static Tensor Gammainc(Tensor a, Tensor x) => Igamma(a, x);

    /// <summary>PyTorch's name of <see cref="Igammac"/> (<c>torch.special.gammaincc(a, x)</c>).</summary>
    public static Tensor Gammaincc(Tensor a, Tensor x) => Igammac(a, x);

    /// <summary>
    /// The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b) (<c>tf.math.betainc(a, b, x)</c>),
    /// the CDF at x of a Beta(a, b) variable (and through it the Student-t, F and binomial CDFs): NaN where a or b is
    /// not positive or x is outside [0, 1]; 0 at x = 0, 1 at x = 1. a, b and x broadcast; integers give float32. Computed
    /// on the host (a compiled step replays it). Gradient in x: g · x^(a-1) (1 - x)^(b-1) / B(a, b); in a and
    /// b it is not provided (TensorFlow gives none).
    /// </summary>
    /// <exception cref="ArgumentException">a, b and x do not broadcast or are on different devices.</exception>
    public static Tensor Betainc(Tensor a, Tensor b, Tensor x) =>
        HostElementwise(nameof(Betainc), [a, b, x], static v => HostSpecial.Betainc(v[0], v[1], v[2]), static (g, n) =>
        {
            Tensor a = n.Value(0), b = n.Value(1), x = n.Value(2);
            var density = n.Wants(2)
                ? Exp(Xlogy(a - 1, x) + Xlog1py(b - 1, -x) + Lgamma(a + b) - Lgamma(a) - Lgamma(b))
                : null;
            return [NoGradient(n, 0, nameof(Betainc), "a"), NoGradient(n, 1, nameof(Betainc), "b"),
                    density is null ? null : ReduceTo(g * density, x.Shape)];
        });

    // d/da P(a, x) (TensorFlow's igamma_grad_a), from the derivatives carried through P's own series or fraction on the host.
    private static Tensor IgammaDerivativeA(Tensor a, Tensor x) =>
        HostElementwise("IgammaGradA", [a, x], static v => HostSpecial.IgammaDerivativeA(v[0], v[1]), static (g, n) =>
            n.Wants(0) || n.Wants(1)
                ? throw new NotSupportedException("Igamma: second derivatives through the derivative in a are not implemented.")
                : [null, null]);

    // x^(a-1) e^-x / Γ(a), the Gamma(a, 1) density: d/dx of P(a, x).
    private static Tensor GammaDensity(Tensor a, Tensor x) => Exp(Xlogy(a - 1, x) - x - Lgamma(a));

    // A parameter these functions give no derivative for: refused when a gradient is asked of it, not a silent zero.
    private static Tensor? NoGradient(TapeNode node, int input, string op, string name) => node.Wants(input)
        ? throw new NotSupportedException(
            $"{op}: the gradient with respect to {name} is not implemented (only with respect to x); stop the gradient at {name} (NF.StopGradient) or use a constant.")
        : null;

    // Inputs broadcast and promoted together (a C# number takes the tensors' dtype; integers give float32), read
    // as doubles, f per element, the result uploaded in that dtype to the inputs' engine and recorded with `rule`.
    private static Tensor HostElementwise(string op, Tensor[] inputs, Func<double[], double> f, GradientRule rule)
    {
        foreach (var t in inputs) ArgumentNullException.ThrowIfNull(t, op);
        var home = Array.Find(inputs, t => !t.IsWeakScalar) ?? inputs[0];
        var shape = inputs[0].Shape;
        (DType DType, bool Weak) common = (inputs[0].DType, inputs[0].IsWeakScalar);
        for (int i = 1; i < inputs.Length; i++)
        {
            Engine.BackendOf(op, Engine.OnBackendOf(inputs[0], home), Engine.OnBackendOf(inputs[i], home));
            shape = Engine.BroadcastShapes(op, shape, inputs[i].Shape);
            common = (Engine.PromotedDType(op, common, (inputs[i].DType, inputs[i].IsWeakScalar)), common.Weak && inputs[i].IsWeakScalar);
        }
        var dtype = common.DType.IsFloating() ? common.DType : DType.Float32;
        var operands = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) operands[i] = Engine.As(Engine.OnBackendOf(inputs[i], home), dtype);
        var output = HostComputed(op, Array.ConvertAll(operands, o => BroadcastTo(o, shape)), shape, operands[0], values =>
        {
            var result = new double[shape.Count];
            var element = new double[values.Length];
            for (long k = 0; k < result.Length; k++)
            {
                for (int i = 0; i < element.Length; i++) element[i] = values[i][k];
                result[k] = f(element);
            }
            return result;
        });
        return Tape.Record(output, operands, rule, op: op);
    }
}
