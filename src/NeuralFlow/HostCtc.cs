namespace NeuralFlow;

/// <summary>
/// The CTC forward-backward recursion of one example on the host, in double and in log space
/// (Graves et al. 2006, section 4.1): NF.CtcLoss reads the logits back, builds one lattice per
/// example and uploads the results, so every engine gives the same answer. The extended label
/// l' puts a blank before, between and after the labels (length S = 2 L + 1); alpha[t, s] is the
/// log probability of the paths over steps 0..t that end in state s, beta[t, s] that of the
/// steps t+1..T-1 given state s at t (without step t's own emission), so alpha + beta - log p is
/// the log posterior of being in state s at step t.
/// </summary>
internal sealed partial class HostCtc
{
    private readonly int _steps, _classes, _states;
    private readonly int[] _extended;
    private readonly double[] _logProbs;   // [steps, classes] log-softmax of the logits
    private readonly double[] _alpha, _beta; // [steps, states]

    /// <summary>
    /// The lattice of one example: <paramref name="logits"/> [steps, classes] from
    /// <paramref name="offset"/> (only the first <paramref name="steps"/> rows are read) and the
    /// labels (none equal to <paramref name="blank"/>).
    /// </summary>
    public HostCtc(double[] logits, long offset, int steps, int classes, int[] labels, int blank)
    {
        _steps = steps;
        _classes = classes;
        _states = 2 * labels.Length + 1;
        _extended = new int[_states];
        for (int s = 0; s < _states; s++) _extended[s] = s % 2 == 0 ? blank : labels[s / 2];
        _logProbs = LogSoftmaxRows(logits, offset, steps, classes);
        _alpha = new double[steps * _states];
        _beta = new double[steps * _states];
        Forward();
        Backward();
        LogLikelihood = steps == 0
            ? (_states == 1 ? 0 : double.NegativeInfinity)
            : LogAdd(_alpha[(steps - 1) * _states + _states - 1], _states > 1 ? _alpha[(steps - 1) * _states + _states - 2] : double.NegativeInfinity);
    }

    /// <summary>log p(labels | logits): -inf where no alignment fits in the steps (too many labels, or repeats without room for the blank between them).</summary>
    public double LogLikelihood { get; }

    /// <summary>
    /// The posterior [steps, classes]: the probability of emitting class k at step t given the
    /// labels, the sum over the states emitting k of exp(alpha + beta - log p). NaN throughout
    /// where p is 0 (the gradient softmax - posterior is then NaN, as PyTorch's).
    /// </summary>
    public double[] Posterior()
    {
        var result = new double[_steps * _classes];
        if (double.IsNegativeInfinity(LogLikelihood))
        {
            // 0 / 0 for every class, including those no state emits (which would otherwise read 0).
            Array.Fill(result, double.NaN);
            return result;
        }
        for (int t = 0; t < _steps; t++)
            for (int s = 0; s < _states; s++)
            {
                int at = t * _states + s;
                result[t * _classes + _extended[s]] += Math.Exp(_alpha[at] + _beta[at] - LogLikelihood);
            }
        return result;
    }

    // Whether state s may be entered from s - 2 (skipping the blank between): only for a label
    // that differs from the previous one, a repeat needs the blank between to stay two labels.
    private bool CanSkip(int s) => s >= 2 && s % 2 == 1 && _extended[s] != _extended[s - 2];

    private void Forward()
    {
        if (_steps == 0) return;
        for (int s = 0; s < _states; s++)
            _alpha[s] = s < 2 ? _logProbs[_extended[s]] : double.NegativeInfinity;
        for (int t = 1; t < _steps; t++)
        {
            int row = t * _states, previous = row - _states;
            for (int s = 0; s < _states; s++)
            {
                double a = _alpha[previous + s];
                if (s >= 1) a = LogAdd(a, _alpha[previous + s - 1]);
                if (CanSkip(s)) a = LogAdd(a, _alpha[previous + s - 2]);
                _alpha[row + s] = a + _logProbs[t * _classes + _extended[s]];
            }
        }
    }

    private void Backward()
    {
        if (_steps == 0) return;
        int last = (_steps - 1) * _states;
        for (int s = 0; s < _states; s++)
            _beta[last + s] = s >= _states - 2 ? 0 : double.NegativeInfinity;
        for (int t = _steps - 2; t >= 0; t--)
        {
            int row = t * _states, next = row + _states, emit = (t + 1) * _classes;
            for (int s = 0; s < _states; s++)
            {
                double b = _beta[next + s] + _logProbs[emit + _extended[s]];
                if (s + 1 < _states) b = LogAdd(b, _beta[next + s + 1] + _logProbs[emit + _extended[s + 1]]);
                if (s + 2 < _states && CanSkip(s + 2)) b = LogAdd(b, _beta[next + s + 2] + _logProbs[emit + _extended[s + 2]]);
                _beta[row + s] = b;
            }
        }
    }

    /// <summary>log(e^a + e^b) without overflow; -inf with -inf stays -inf (no NaN from inf - inf).</summary>
    internal static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        double max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>The log-softmax of each of <paramref name="rows"/> rows of <paramref name="classes"/> values from <paramref name="offset"/>.</summary>
    internal static double[] LogSoftmaxRows(double[] logits, long offset, int rows, int classes)
    {
        var result = new double[rows * classes];
        for (int t = 0; t < rows; t++)
        {
            long at = offset + (long)t * classes;
            double max = double.NegativeInfinity;
            for (int k = 0; k < classes; k++) max = Math.Max(max, logits[at + k]);
            // A row of NaN keeps NaN (Math.Max propagates it); a row of -inf has no finite max.
            if (double.IsNegativeInfinity(max)) max = 0;
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.Exp(logits[at + k] - max);
            double log = max + Math.Log(sum);
            for (int k = 0; k < classes; k++) result[t * classes + k] = logits[at + k] - log;
        }
        return result;
    }
}
