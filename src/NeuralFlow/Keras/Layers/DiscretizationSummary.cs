namespace NeuralFlow.Keras;

/// <summary>
/// Keras' approximate-quantile summary behind <c>Discretization.adapt</c>
/// (keras/src/layers/preprocessing/discretization.py: summarize, merge_summaries,
/// compress_summary, get_bin_boundaries), step for step, so that adapting to the same data
/// gives Keras' boundaries: each batch is sorted and thinned to about 1/epsilon weighted points,
/// merged with the running summary, and compressed by interpolating the cumulative weights.
/// The arrays Keras keeps in float32 are rounded to float here at the same points.
/// </summary>
internal sealed class DiscretizationSummary(double epsilon)
{
    private float[] _values = [];
    private float[] _weights = [];

    /// <summary>Summarizes one batch of values and merges it into the running summary.</summary>
    public void Add(float[] batch)
    {
        // summarize: every step-th sorted value from int(increment), each weighing step.
        var sorted = (float[])batch.Clone();
        Array.Sort(sorted);
        double increment = sorted.Length / (1.0 / epsilon);
        double step = Math.Max(increment, 1);
        var picked = new List<float>();
        for (long i = (long)increment; i < sorted.Length; i += (long)step) picked.Add(sorted[i]);
        // merge_summaries: concatenate with the running summary (previous first), stable sort by value.
        var values = _values.Concat(picked).ToArray();
        var weights = _weights.Concat(Enumerable.Repeat((float)step, picked.Count)).ToArray();
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        (_values, _weights) = Compress(order.Select(i => values[i]).ToArray(), order.Select(i => weights[i]).ToArray(), epsilon);
    }

    /// <summary>The boundaries of <paramref name="numBins"/> bins (get_bin_boundaries): the compressed summary's values but the last.</summary>
    public double[] BinBoundaries(int numBins)
    {
        if (_values.Length == 0)
            throw new ArgumentException("Discretization: Adapt got no data (an empty tensor or dataset); it needs at least one value.");
        var (values, _) = Compress(_values, _weights, 1.0 / numBins);
        return values[..^1].Select(v => (double)v).ToArray();
    }

    // compress_summary: unchanged while the summary has fewer than 1/epsilon points; otherwise the
    // values and cumulative weights at the fractions epsilon, 2 epsilon, ..., 1, by np.interp.
    private static (float[] Values, float[] Weights) Compress(float[] values, float[] weights, double epsilon)
    {
        if (values.Length * epsilon < 1) return (values, weights);
        int n = (int)Math.Ceiling(1.0 / epsilon);   // np.arange(0.0, 1.0, epsilon)'s length
        var cum = new float[weights.Length];
        float total = 0;
        for (int i = 0; i < weights.Length; i++) cum[i] = total += weights[i];   // float32 cumsum
        var percents = cum.Select(c => c / total).ToArray();                      // float32 division
        var newValues = new float[n];
        var newWeights = new float[n];
        double previous = 0;
        for (int i = 0; i < n; i++)
        {
            double p = epsilon + i * epsilon;
            newValues[i] = (float)Interp(p, percents, values);
            double cumulative = Interp(p, percents, cum);
            newWeights[i] = (float)(cumulative - previous);
            previous = cumulative;
        }
        return (newValues, newWeights);
    }

    // np.interp(x, xp, fp) for increasing xp: clamped at the ends, linear between neighbours.
    private static double Interp(double x, float[] xp, float[] fp)
    {
        if (x <= xp[0]) return fp[0];
        if (x >= xp[^1]) return fp[^1];
        int hi = Array.FindIndex(xp, v => v > x);
        int lo = hi - 1;
        double slope = ((double)fp[hi] - fp[lo]) / ((double)xp[hi] - xp[lo]);
        return slope * (x - xp[lo]) + fp[lo];
    }
}
