namespace NeuralFlow;

// CTC decoding (keras.ops.ctc_decode): greedy best path or prefix beam search, run on the host
// (HostCtcDecode) over the logits' values; the results are not differentiable (integer paths,
// and scores Keras does not differentiate either).
public static partial class NF
{
    /// <summary>
    /// Decodes CTC logits <paramref name="inputs"/> [batch, time, classes] (not softmax
    /// probabilities) whose example b has <paramref name="sequenceLengths"/>[b] valid steps
    /// (<c>keras.ops.ctc_decode</c>). <paramref name="strategy"/> "greedy" takes the arg max
    /// class of each step, merges a class repeated at consecutive steps when
    /// <paramref name="mergeRepeated"/> and drops blanks; "beam_search" runs the CTC prefix beam
    /// search with <paramref name="beamWidth"/> prefixes over the log-softmax and keeps the
    /// <paramref name="topPaths"/> best (repeats are always merged, as CTC defines; ties are
    /// broken by the order prefixes were first reached, which may differ from Keras').
    /// <paramref name="maskIndex"/> is the blank class (negative counts from the end; null for
    /// the last class).
    /// Returns the decoded labels [paths, batch, time] int32, each row's labels first and padded
    /// with -1 (paths is 1 for "greedy", <paramref name="topPaths"/> for "beam_search"), and the
    /// scores [batch, paths] (float64 for float64 inputs, else float32): for "greedy" minus the
    /// sum of the chosen logits, for "beam_search" each path's log probability (-infinity for a
    /// path beyond the number of distinct prefixes found).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks or batch sizes, no classes, an unknown strategy, or lengths that are negative, above the time steps or not integers.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beamWidth"/> below 1, <paramref name="topPaths"/> outside [1, beamWidth], or <paramref name="maskIndex"/> outside [-classes, classes).</exception>
    public static (Tensor Decoded, Tensor Scores) CtcDecode(Tensor inputs, Tensor sequenceLengths, string strategy = "greedy",
        int beamWidth = 100, int topPaths = 1, bool mergeRepeated = true, int? maskIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(sequenceLengths);
        const string op = nameof(CtcDecode);
        if (strategy is not ("greedy" or "beam_search"))
            throw new ArgumentException($"{op}: strategy must be \"greedy\" or \"beam_search\", got \"{strategy}\".", nameof(strategy));
        if (inputs.Rank != 3)
            throw new ArgumentException($"{op}: inputs must be logits [batch, time, classes], got shape {inputs.Shape}.", nameof(inputs));
        int batch = inputs.Shape[0], steps = inputs.Shape[1], classes = inputs.Shape[2];
        if (classes < 1)
            throw new ArgumentException($"{op}: inputs have no classes (shape {inputs.Shape}); they need at least the blank class.", nameof(inputs));
        int blank = CtcBlank(op, maskIndex ?? classes - 1, classes);
        bool greedy = strategy == "greedy";
        if (!greedy && beamWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, $"{op}: beamWidth must be at least 1, got {beamWidth}.");
        if (!greedy && (topPaths < 1 || topPaths > beamWidth))
            throw new ArgumentOutOfRangeException(nameof(topPaths), topPaths, $"{op}: topPaths must be in [1, beamWidth = {beamWidth}], got {topPaths}.");
        var lengths = CtcLengths(op, sequenceLengths, nameof(sequenceLengths), batch, steps, "the inputs' time steps");

        // Integer logits score in float32, as Keras' result_type(int, float32).
        var logits = inputs.DType.IsFloating() ? inputs : Cast(inputs, DType.Float32);
        double[] values;
        using (Tape.Pause()) values = logits.ToDoubleArray();
        int paths = greedy ? 1 : topPaths;
        var decoded = new int[paths * batch * steps];
        Array.Fill(decoded, -1);
        var scores = new double[batch * paths];
        long exampleSize = (long)steps * classes;
        for (int b = 0; b < batch; b++)
        {
            var found = greedy
                ? [HostCtcDecode.Greedy(values, b * exampleSize, lengths[b], classes, blank, mergeRepeated)]
                : HostCtcDecode.BeamSearch(values, b * exampleSize, lengths[b], classes, blank, beamWidth, topPaths);
            for (int p = 0; p < paths; p++)
            {
                found[p].Labels.CopyTo(decoded, (p * batch + b) * steps);
                scores[b * paths + p] = found[p].Score;
            }
        }
        return (Engine.FromHost<int>(decoded, new Shape(paths, batch, steps), inputs.Backend), HostTensor(scores, new Shape(batch, paths), logits));
    }
}
