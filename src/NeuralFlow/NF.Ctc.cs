namespace NeuralFlow;

// CTC loss (keras.ops.ctc_loss, tf.nn.ctc_loss, torch.nn.functional.ctc_loss with reduction
// "none"). The forward-backward recursion runs on the host in double (HostCtc) over the logits'
// values, one example at a time, so every engine gives the same result; the loss and its
// gradient (softmax minus the alpha-beta posterior) are uploaded in the logits' dtype.
public static partial class NF
{
    /// <summary>
    /// The CTC (connectionist temporal classification) loss of each example: -log p(target | output),
    /// summed over every alignment of the labels to the time steps (<c>keras.ops.ctc_loss</c>).
    /// <paramref name="output"/> holds logits [batch, time, classes] (not softmax probabilities:
    /// a log-softmax over the classes is applied, as Keras' backends do); <paramref name="target"/>
    /// [batch, maxLabelLength] holds integer labels, of which the first
    /// <paramref name="targetLength"/>[b] count (the rest is padding and is not read);
    /// <paramref name="outputLength"/>[b] is the number of valid time steps of example b.
    /// <paramref name="maskIndex"/> is the blank class (negative counts from the end); no label may
    /// equal it. Returns [batch] in float64 for float64 logits, else float32.
    /// An example whose labels cannot be aligned in its steps (more labels, plus a blank between
    /// each repeated pair, than steps) has probability 0: its loss is +infinity and its gradient
    /// NaN, as PyTorch's ctc_loss with zero_infinity=False. An empty label sequence is valid (the
    /// loss is minus the log probability of all blanks). The gradient with respect to
    /// <paramref name="output"/> is softmax(output) - posterior (the alpha-beta method), zero past each
    /// example's length. Second derivatives (a tape over a tape) are exact: the posterior's own
    /// derivative is a second alpha-beta pass (HostCtc.PosteriorVjp); a third derivative throws.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, batch sizes that differ, fewer than one class, lengths that are negative, above the padded sizes or not integers, or labels outside [0, classes) or equal to the blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maskIndex"/> outside [-classes, classes).</exception>
    public static Tensor CtcLoss(Tensor target, Tensor output, Tensor targetLength, Tensor outputLength, int maskIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(targetLength);
        ArgumentNullException.ThrowIfNull(outputLength);
        const string op = nameof(CtcLoss);
        if (output.Rank != 3)
            throw new ArgumentException($"{op}: output must be logits [batch, time, classes], got shape {output.Shape}.", nameof(output));
        if (target.Rank != 2)
            throw new ArgumentException($"{op}: target must be labels [batch, maxLabelLength], got shape {target.Shape}.", nameof(target));
        int batch = output.Shape[0], steps = output.Shape[1], classes = output.Shape[2], maxLabels = target.Shape[1];
        if (target.Shape[0] != batch)
            throw new ArgumentException($"{op}: target has batch size {target.Shape[0]} (shape {target.Shape}) but output has {batch} (shape {output.Shape}).", nameof(target));
        if (classes < 1)
            throw new ArgumentException($"{op}: output has no classes (shape {output.Shape}); it needs at least the blank class.", nameof(output));
        int blank = CtcBlank(op, maskIndex, classes);
        CtcLengthsShape(op, outputLength, nameof(outputLength), batch);
        CtcLengthsShape(op, targetLength, nameof(targetLength), batch);

        var logits = output.DType.IsFloating() ? output : Cast(output, DType.Float32);
        long exampleSize = (long)steps * classes;
        // One lattice per example, kept for the gradient rules: the tape's version check guarantees the logits they
        // were built from are the ones differentiated. The host call rebuilds them at every replay of a compiled step,
        // before the gradient's host call, which reads the loss, uses them.
        var problem = new CtcProblem(new HostCtc[batch], new int[batch]);
        var result = HostComputed(op, [logits, target, targetLength, outputLength], new Shape(batch), logits, read =>
        {
            var (values, labelValues) = (read[0], read[1]);
            var outputLengths = CtcLengths(op, read[3], nameof(outputLength), steps, "the output's time steps");
            var labelLengths = CtcLengths(op, read[2], nameof(targetLength), maxLabels, "the target's max label length");
            var labels = CtcLabels(op, labelValues, maxLabels, labelLengths, classes, blank);
            var loss = new double[batch];
            for (int b = 0; b < batch; b++)
            {
                problem.Lattices[b] = new HostCtc(values, b * exampleSize, outputLengths[b], classes, labels[b], blank);
                problem.OutputLengths[b] = outputLengths[b];
                loss[b] = -problem.Lattices[b].LogLikelihood;
            }
            return loss;
        });
        // The state's own view of the loss: the caller may dispose the loss before taking the gradient.
        return Tape.Record(result, logits, CtcLossGradient, new CtcState(problem, result.UntrackedView()));
    }

    /// <summary>What the CTC gradient rules need besides the logits: each example's lattice (alpha, beta) and output length, filled by the loss's host call.</summary>
    private sealed record CtcProblem(HostCtc[] Lattices, int[] OutputLengths);

    /// <summary>The problem and the loss whose host call fills it: a gradient's host call reads the loss, so it runs after it.</summary>
    private sealed record CtcState(CtcProblem Problem, Tensor Loss);

    // A third derivative would need the derivative of the posterior's product below, which is not
    // implemented: refused, instead of treating that product as a constant.
    private static readonly GradientRule CtcThirdDerivative = static (_, node) =>
        throw new NotSupportedException(
            $"CtcLoss: a third derivative (through the second derivative of the CTC loss with respect to the logits, shape {node.X.Shape}) is not supported.");

    // The posterior's vector-Jacobian product (HostCtc.PosteriorVjp): what a second derivative of
    // the loss needs. The product is linear in the upstream gradient, which is its second input.
    private static readonly GradientRule CtcPosteriorGradient = static (upstream, node) =>
    {
        var state = (CtcState)node.State!;
        var logits = node.X;
        long exampleSize = (long)logits.Shape[1] * logits.Shape[2];
        var product = HostComputed("CtcLoss", [upstream, state.Loss], logits.Shape, logits, read =>
        {
            var product = new double[logits.Count];
            for (int b = 0; b < state.Problem.Lattices.Length; b++)
                state.Problem.Lattices[b].PosteriorVjp(read[0], b * exampleSize).CopyTo(product, b * exampleSize);
            return product;
        });
        return [Tape.Record(product, [logits, upstream], CtcThirdDerivative)];
    };

    // d loss[b] / d logits[b, t, k] = softmax - posterior for t below the length, else 0. The
    // softmax part is NF ops on the logits; the posterior is a host result recorded with its own
    // rule, so a tape over this gradient differentiates it too (second derivatives).
    private static readonly GradientRule CtcLossGradient = static (g, node) =>
    {
        var state = (CtcState)node.State!;
        var logits = node.X;
        int batch = logits.Shape[0], steps = logits.Shape[1], classes = logits.Shape[2];
        long exampleSize = (long)steps * classes;
        // Not disposed: an outer tape (a second derivative) keeps them as inputs of the product.
        var mask = HostComputed("CtcLoss", [state.Loss], new Shape(batch, steps, 1), logits, _ =>
        {
            var valid = new double[batch * steps];
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < state.Problem.OutputLengths[b]; t++) valid[b * steps + t] = 1;
            return valid;
        });
        var posterior = HostComputed("CtcLoss", [state.Loss], logits.Shape, logits, _ =>
        {
            var posterior = new double[logits.Count];
            for (int b = 0; b < batch; b++)
                state.Problem.Lattices[b].Posterior().CopyTo(posterior, b * exampleSize);
            return posterior;
        });
        var posteriorTensor = Tape.Record(posterior, logits, CtcPosteriorGradient, state);
        var perExample = Reshape(g, [batch, 1, 1]);
        return [perExample * (Softmax(logits) * mask - posteriorTensor)];
    };

    /// <summary>The blank class in [0, classes): <paramref name="maskIndex"/>, negative counting from the end.</summary>
    private static int CtcBlank(string op, int maskIndex, int classes)
    {
        if (maskIndex < -classes || maskIndex >= classes)
            throw new ArgumentOutOfRangeException(nameof(maskIndex), maskIndex,
                $"{op}: maskIndex (the blank class) must be in [{-classes}, {classes}) for {classes} classes, got {maskIndex}.");
        return maskIndex < 0 ? maskIndex + classes : maskIndex;
    }

    /// <summary>A lengths tensor's shape: [batch], one length per example.</summary>
    private static void CtcLengthsShape(string op, Tensor lengths, string name, int batch)
    {
        if (lengths.Rank != 1 || lengths.Shape[0] != batch)
            throw new ArgumentException($"{op}: {name} must have shape [{batch}] (one length per example), got {lengths.Shape}.", name);
    }

    /// <summary>The per-example lengths in [0, <paramref name="max"/>]: a [batch] tensor of whole numbers, read now.</summary>
    private static int[] CtcLengths(string op, Tensor lengths, string name, int batch, int max, string maxName)
    {
        CtcLengthsShape(op, lengths, name, batch);
        double[] values;
        using (Tape.Pause()) values = lengths.ToDoubleArray();
        return CtcLengths(op, values, name, max, maxName);
    }

    /// <summary>The per-example lengths in [0, <paramref name="max"/>], from a [batch] tensor's values: whole numbers.</summary>
    private static int[] CtcLengths(string op, double[] values, string name, int max, string maxName)
    {
        var result = new int[values.Length];
        for (int b = 0; b < values.Length; b++)
        {
            double v = values[b];
            if (v != Math.Floor(v) || v < 0 || v > max)
                throw new ArgumentException($"{op}: {name}[{b}] is {v}; it must be a whole number in [0, {max}] ({maxName}).", name);
            result[b] = (int)v;
        }
        return result;
    }

    /// <summary>Each example's first labelLengths[b] labels, checked to be classes other than the blank.</summary>
    private static int[][] CtcLabels(string op, double[] values, int maxLabels, int[] labelLengths, int classes, int blank)
    {
        var result = new int[labelLengths.Length][];
        for (int b = 0; b < labelLengths.Length; b++)
        {
            result[b] = new int[labelLengths[b]];
            for (int i = 0; i < labelLengths[b]; i++)
            {
                double v = values[(long)b * maxLabels + i];
                if (v != Math.Floor(v) || v < 0 || v >= classes)
                    throw new ArgumentException($"{op}: target[{b}, {i}] is {v}; labels must be whole numbers in [0, {classes}) for {classes} classes.", "target");
                if ((int)v == blank)
                    throw new ArgumentException(
                        $"{op}: target[{b}, {i}] is {blank}, the blank class (maskIndex); labels within targetLength[{b}] = {labelLengths[b]} must be other classes.", "target");
                result[b][i] = (int)v;
            }
        }
        return result;
    }
}
