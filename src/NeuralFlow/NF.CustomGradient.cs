namespace NeuralFlow;

// tf.custom_gradient / keras.ops.custom_gradient: a function that computes its value with any ops
// and says itself what its gradient is. The forward runs as usual (every tape records it, so
// values it computes, such as exp(x) kept for the gradient, stay differentiable for an outer tape);
// its output is then a fresh view recorded as one op of the inputs whose rule is the user's
// gradient function. The tape runs that function like any rule: while outer tapes record, so a
// gradient function made of differentiable NF ops gives second derivatives, and under NF.Function
// its kernels are traced and replayed like those of built-in rules.
public static partial class NF
{
    /// <summary>
    /// A function of one tensor with the gradient <paramref name="f"/> gives (<c>tf.custom_gradient</c>):
    /// f returns its output y and a gradient function that maps the upstream gradient dy (y's shape)
    /// to the gradient of x (x's shape and dtype; null for none). For example a numerically stable
    /// log(1 + e^x): <c>NF.CustomGradient((Tensor x) =&gt; { var e = NF.Exp(x); return (NF.Log(1 + e), dy =&gt; dy * (1 - 1 / (1 + e))); })</c>.
    /// The gradient function is differentiated by an outer tape (second order) when it is made of NF ops.
    /// </summary>
    /// <exception cref="InvalidOperationException">At the call, f returned a null output or gradient function; at the gradient, the function's result does not match x.</exception>
    public static Func<Tensor, Tensor> CustomGradient(Func<Tensor, (Tensor Y, Func<Tensor, Tensor?> Grad)> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return x =>
        {
            ArgumentNullException.ThrowIfNull(x);
            var (y, grad) = f(x);
            if (grad is null) throw NullGradientFunction();
            return WithCustomGradient(y, [x], [], dy => [grad(dy)]);
        };
    }

    /// <summary>
    /// A function of two tensors with the gradient <paramref name="f"/> gives: the gradient function
    /// maps dy to the gradients of both inputs (each null for none). See <see cref="CustomGradient(Func{Tensor, ValueTuple{Tensor, Func{Tensor, Tensor}}})"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">f returned a null output or gradient function, or the gradients do not match the inputs.</exception>
    public static Func<Tensor, Tensor, Tensor> CustomGradient(Func<Tensor, Tensor, (Tensor Y, Func<Tensor, (Tensor? DA, Tensor? DB)> Grad)> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return (a, b) =>
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            var (y, grad) = f(a, b);
            if (grad is null) throw NullGradientFunction();
            return WithCustomGradient(y, [a, b], [], dy =>
            {
                var (da, db) = grad(dy);
                return [da, db];
            });
        };
    }

    /// <summary>
    /// A function of any number of tensors with the gradient <paramref name="f"/> gives: the gradient
    /// function maps dy to one gradient per input, in order (null for none).
    /// </summary>
    /// <exception cref="InvalidOperationException">f returned a null output or gradient function, or the gradients do not match the inputs.</exception>
    public static Func<Tensor[], Tensor> CustomGradient(Func<Tensor[], (Tensor Y, Func<Tensor, Tensor?[]> Grad)> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return xs =>
        {
            CheckInputs(xs);
            var (y, grad) = f(xs);
            if (grad is null) throw NullGradientFunction();
            return WithCustomGradient(y, xs, [], grad);
        };
    }

    /// <summary>
    /// A function of any number of tensors that reads trainable variables, with the gradient
    /// <paramref name="f"/> gives for both (<c>tf.custom_gradient</c> with <c>grad_fn(dy, variables)</c>):
    /// the gradient function receives dy and the trainable floating-point variables that f's ops
    /// read (in the order they were first read) and returns one gradient per input and one per
    /// variable (null for none). The variables are found by running f under a tape of its own.
    /// </summary>
    /// <exception cref="InvalidOperationException">f returned a null output or gradient function, or the gradients do not match the inputs or the variables.</exception>
    public static Func<Tensor[], Tensor> CustomGradient(
        Func<Tensor[], (Tensor Y, Func<Tensor, IReadOnlyList<Variable>, (Tensor?[] Inputs, Tensor?[] Variables)> Grad)> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return xs =>
        {
            CheckInputs(xs);
            Tensor y;
            Func<Tensor, IReadOnlyList<Variable>, (Tensor?[], Tensor?[])> grad;
            IReadOnlyList<Variable> variables;
            using (var probe = new GradientTape())
            {
                (y, grad) = f(xs);
                variables = probe.WatchedVariables();
            }
            if (grad is null) throw NullGradientFunction();
            return WithCustomGradient(y, xs, variables, dy =>
            {
                var (inputs, vars) = grad(dy, variables);
                if (inputs is null || vars is null)
                    throw new InvalidOperationException("CustomGradient: the gradient function returned a null array; return one entry per input and one per variable (entries may be null).");
                if (vars.Length != variables.Count)
                    throw new InvalidOperationException(
                        $"CustomGradient: the gradient function returned {vars.Length} variable gradients for the {variables.Count} variables the function read.");
                return [.. inputs, .. vars];
            });
        };
    }

    private static void CheckInputs(Tensor[] xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        for (int i = 0; i < xs.Length; i++)
            if (xs[i] is null) throw new ArgumentNullException(nameof(xs), $"CustomGradient: input {i} is null.");
    }

    private static InvalidOperationException NullGradientFunction() =>
        new("CustomGradient: the function returned a null gradient function; return (output, dy => gradients).");

    // The output as a tensor of its own, recorded as one op of the inputs and variables whose rule
    // is the user's gradient function (checked: one gradient per input, of its shape and dtype).
    private static Tensor WithCustomGradient(Tensor y, Tensor[] inputs, IReadOnlyList<Variable> variables, Func<Tensor, Tensor?[]> grad)
    {
        if (y is null) throw new InvalidOperationException("CustomGradient: the function returned a null output.");
        Tensor[] all = [.. inputs, .. variables];
        return Tape.Record(y.View(y.Layout), all, (dy, node) => CheckedGradients(grad(dy), node, inputs.Length), op: nameof(CustomGradient));
    }

    private static Tensor?[] CheckedGradients(Tensor?[] grads, TapeNode node, int inputCount)
    {
        if (grads is null) throw new InvalidOperationException("CustomGradient: the gradient function returned null; return one gradient per input (entries may be null).");
        if (grads.Length != node.Inputs.Length)
            throw new InvalidOperationException(
                $"CustomGradient: the gradient function returned {grads.Length} gradients for {node.Inputs.Length} inputs.");
        for (int i = 0; i < grads.Length; i++)
        {
            var g = grads[i];
            var x = node.Inputs[i];
            if (g is null) continue;
            string what = i < inputCount ? $"input {i}" : $"variable {i - inputCount} ('{(x as Variable)?.Name}')";
            if (g.Shape != x.Shape || g.DType != x.DType)
                throw new InvalidOperationException(
                    $"CustomGradient: the gradient for {what} is {g.DType.Name()} {g.Shape} but the {what.Split(' ')[0]} is {x.DType.Name()} {x.Shape}; a gradient has the shape and dtype of what it is for.");
        }
        return grads;
    }
}
