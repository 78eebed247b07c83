namespace NeuralFlow;

// The derivative of the CTC posterior, for second derivatives of NF.CtcLoss. Given the labels,
// the alignments pi follow q(pi) proportional to exp(sum_t u[t, pi_t]) (the per-step softmax
// normalizers cancel), and the posterior gamma[t, k] = E_q[1{pi_t = k}] is the gradient of
// log sum_pi exp(sum_t u[t, pi_t]). Its vector-Jacobian product with an upstream G is then the
// covariance Cov_q(F, 1{pi_t = k}) with F(pi) = sum_t G[t, pi_t]: E_q[F 1{pi_t = k}] - E_q[F] gamma[t, k].
// Given the state s at step t, the steps before and after are independent, so
// E_q[F | s at t] = A[t, s] + B[t, s] with A the expected sum of G over steps 0..t on the way in
// (weighted by alpha) and B over steps t+1.. on the way out (weighted by beta): one more pass each
// way, of the same shape as the forward-backward recursion.
internal sealed partial class HostCtc
{
    /// <summary>
    /// The vector-Jacobian product of <see cref="Posterior"/> with <paramref name="upstream"/>
    /// [steps, classes] read from <paramref name="offset"/>: d sum(upstream * posterior) / d logits,
    /// [steps, classes]. NaN throughout where p is 0, as the posterior itself.
    /// </summary>
    public double[] PosteriorVjp(double[] upstream, long offset)
    {
        var result = new double[_steps * _classes];
        if (double.IsNegativeInfinity(LogLikelihood))
        {
            Array.Fill(result, double.NaN);
            return result;
        }
        if (_steps == 0) return result;
        double G(int t, int s) => upstream[offset + (long)t * _classes + _extended[s]];
        var into = new double[_steps * _states];   // A: expected G summed over steps 0..t, given s at t
        var outOf = new double[_steps * _states];  // B: expected G summed over steps t+1.., given s at t
        for (int s = 0; s < Math.Min(2, _states); s++) into[s] = G(0, s);
        Span<int> neighbours = stackalloc int[3];
        for (int t = 1; t < _steps; t++)
        {
            int row = t * _states, previous = row - _states;
            for (int s = 0; s < _states; s++)
            {
                int n = 0;
                neighbours[n++] = s;
                if (s >= 1) neighbours[n++] = s - 1;
                if (CanSkip(s)) neighbours[n++] = s - 2;
                into[row + s] = Weighted(neighbours[..n], p => _alpha[previous + p], p => into[previous + p]) + G(t, s);
            }
        }
        for (int t = _steps - 2; t >= 0; t--)
        {
            int row = t * _states, next = row + _states, emit = (t + 1) * _classes;
            for (int s = 0; s < _states; s++)
            {
                int n = 0;
                neighbours[n++] = s;
                if (s + 1 < _states) neighbours[n++] = s + 1;
                if (s + 2 < _states && CanSkip(s + 2)) neighbours[n++] = s + 2;
                outOf[row + s] = Weighted(neighbours[..n], p => _beta[next + p] + _logProbs[emit + _extended[p]], p => G(t + 1, p) + outOf[next + p]);
            }
        }
        // E_q[F]: the same at every step; read at step 0.
        double mean = 0;
        for (int s = 0; s < _states; s++)
        {
            double p = Math.Exp(_alpha[s] + _beta[s] - LogLikelihood);
            if (p > 0) mean += p * (into[s] + outOf[s]);
        }
        for (int t = 0; t < _steps; t++)
            for (int s = 0; s < _states; s++)
            {
                int at = t * _states + s;
                double p = Math.Exp(_alpha[at] + _beta[at] - LogLikelihood);
                // An unreachable state (p = 0) adds nothing, whatever its A and B.
                if (p > 0) result[t * _classes + _extended[s]] += p * (into[at] + outOf[at] - mean);
            }
        return result;
    }

    // sum_n e^(logWeight(n)) value(n) / sum_n e^(logWeight(n)) over the neighbour states, stable in
    // the largest weight; 0 where every weight is 0 (a state no path reaches, whose value is unused).
    private static double Weighted(ReadOnlySpan<int> neighbours, Func<int, double> logWeight, Func<int, double> value)
    {
        double max = double.NegativeInfinity;
        foreach (var n in neighbours) max = Math.Max(max, logWeight(n));
        if (double.IsNegativeInfinity(max)) return 0;
        double total = 0, sum = 0;
        foreach (var n in neighbours)
        {
            double w = Math.Exp(logWeight(n) - max);
            if (w == 0) continue;
            total += w;
            sum += w * value(n);
        }
        return sum / total;
    }
}
