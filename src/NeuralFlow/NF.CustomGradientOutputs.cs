namespace NeuralFlow;

// tf.custom_gradient for a function that returns several tensors: its gradient function receives one
// upstream gradient per output. A tape node has one output, so the outputs are packed into one flat
// vector (in a common float dtype) that is recorded as the custom op of the inputs, and each output
// handed back is a slice of it reshaped (and cast back). The tape then sums what reaches each slice
// into one upstream for the packed vector -- zeros for an output the loss does not use, as
// TensorFlow's eager tape passes -- and the rule cuts it back into one upstream per output. Every
// step is an NF op, so gradients of gradients and NF.Function tracing work as for one output.
public static partial class NF
{
    /// <summary>
    /// A function of any number of tensors returning several, with the gradient <paramref name="f"/>
    /// gives (<c>tf.custom_gradient</c> with a tuple of outputs): f returns its outputs and a gradient
    /// function that maps the upstream gradients (one per output, of its shape and dtype; zeros for an
    /// output that does not reach the loss) to one gradient per input (null for none). Outputs must be
    /// float32 or float64.
    /// </summary>
    /// <exception cref="InvalidOperationException">At the call, f returned no outputs, a null output, a non-floating output or a null gradient function; at the gradient, the function's result does not match the inputs.</exception>
    public static Func<Tensor[], Tensor[]> CustomGradient(Func<Tensor[], (Tensor[] Ys, Func<Tensor[], Tensor?[]> Grad)> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return xs =>
        {
            CheckInputs(xs);
            var (ys, grad) = f(xs);
            if (grad is null) throw NullGradientFunction();
            CheckOutputs(ys);
            return RecordOutputs(ys, xs, grad);
        };
    }

    /// <summary>
    /// <paramref name="ys"/> (floating, computed from <paramref name="xs"/> by ops no tape saw) as
    /// one op of xs on the recording tapes whose gradient is <paramref name="grad"/> (one upstream per
    /// output, to one gradient per x): also how an NF.Function called under a tape is recorded
    /// (FunctionGradient). One output is recorded as it is; several are packed as described above.
    /// </summary>
    internal static Tensor[] RecordOutputs(Tensor[] ys, Tensor[] xs, Func<Tensor[], Tensor?[]> grad)
    {
        if (ys.Length == 1) return [WithCustomGradient(ys[0], xs, [], dy => grad([dy]))];
        var common = ys.Any(y => y.DType == DType.Float64) ? DType.Float64 : DType.Float32;
        var flat = Concat(ys.Select(y => Reshape(Cast(y, common), [checked((int)y.Shape.Count)])).ToArray(), 0);
        var packed = WithCustomGradient(flat, xs, [], dpacked => grad(Unpack(dpacked, ys)));
        return Unpack(packed, ys);
    }

    // The pieces of a packed vector with the shapes and dtypes of like, in order.
    private static Tensor[] Unpack(Tensor packed, Tensor[] like)
    {
        var pieces = new Tensor[like.Length];
        int offset = 0;
        for (int i = 0; i < like.Length; i++)
        {
            int n = checked((int)like[i].Shape.Count);
            pieces[i] = Cast(Reshape(SliceAxis(packed, 0, offset, n), like[i].Shape.ToArray()), like[i].DType);
            offset += n;
        }
        return pieces;
    }

    private static void CheckOutputs(Tensor[] ys)
    {
        if (ys is null || ys.Length == 0)
            throw new InvalidOperationException("CustomGradient: the function returned no outputs; return at least one tensor.");
        for (int i = 0; i < ys.Length; i++)
        {
            if (ys[i] is null) throw new InvalidOperationException($"CustomGradient: output {i} of the function is null.");
            if (!ys[i].DType.IsFloating())
                throw new InvalidOperationException(
                    $"CustomGradient: output {i} is {ys[i].DType.Name()}; outputs of a function with a custom gradient must be float32 or float64 (an integer output has no gradient).");
        }
    }
}
