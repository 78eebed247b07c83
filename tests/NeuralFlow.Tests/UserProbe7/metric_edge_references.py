# Reference values for MetricEdgeTests.cs: Keras 3's metric formulas (keras/src/metrics/*.py at
# the mirrored HEAD) written out in float64 NumPy, run with /usr/bin/python3.
import numpy as np
p = lambda *a: print(*a)

def r2(yt, yp, sw=None, num_regressors=0, agg="uniform_average"):
    # regression_metrics.R2Score.update_state / result; num_samples counts examples with a
    # non-zero weight in at least one output (Keras #23334), not targets * outputs.
    yt = np.asarray(yt, float); yp = np.asarray(yp, float)
    w = np.ones_like(yt) if sw is None else np.broadcast_to(np.asarray(sw, float).reshape(-1, 1) if np.ndim(sw) == 1 else sw, yt.shape)
    s = (yt * w).sum(0); sq = (yt * yt * w).sum(0); mse = ((yt - yp) ** 2 * w).sum(0); count = w.sum(0)
    n = np.any(w != 0, axis=-1).sum()
    total = sq - s * (s / count); raw = 1 - mse / total; raw = np.where(np.isinf(raw), 0, raw)
    score = raw.mean() if agg == "uniform_average" else (total * raw).sum() / total.sum()
    if num_regressors and num_regressors < n - 1:
        score = 1 - (1 - score) * (n - 1) / (n - num_regressors - 1)
    return score, n

yt = [[1.0, 2.0], [2.0, 1.5], [3.0, 4.0], [4.0, 3.0], [5.0, 7.0]]
yp = [[1.1, 2.5], [1.9, 1.0], [3.2, 3.5], [3.7, 3.1], [5.5, 6.0]]
p("r2 two outputs, regressors 1:", r2(yt, yp, num_regressors=1))
p("r2 two outputs, weights [1,0,1,1,1], regressors 2:", r2(yt, yp, sw=[1, 0, 1, 1, 1], num_regressors=2))
p("r2 weights [1,0,1,1,1] plain:", r2(yt, yp, sw=[1, 0, 1, 1, 1]))
# Keras16/R2ScoreTests.cs "Streams_two_updates...": its 5 x 2 regression, variance-weighted, adjusted for 1 regressor.
T = np.array([1.0, 2.0, 2.5, 0.5, 3.0, 1.5, 0.5, 4.0, 2.0, 3.0]).reshape(5, 2)
P = np.array([1.2, 1.8, 2.0, 0.9, 2.7, 1.0, 1.0, 3.5, 2.4, 2.0]).reshape(5, 2)
p("Keras16 streamed adjusted:", r2(T, P, sw=[1.0, 0.5, 2.0, 1.5, 0.25], num_regressors=1, agg="variance_weighted_average"))
