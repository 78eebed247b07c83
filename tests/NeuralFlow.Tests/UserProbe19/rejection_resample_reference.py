# Reference numbers for DataRejectionResampleTests: TensorFlow's rejection_resample
# (tensorflow/python/data/experimental/ops/resampling.py, _calculate_acceptance_probs_with_mixing)
# mixes the data as it is, with probability m = min(target / initial), with a stream that accepts
# class i with probability a_i = (r_i - m) / (max r - m), r = target / (initial + tiny).
# The output's class distribution is m * initial + (1 - m) * normalise(initial * a), the target.
import numpy as np

def mixing(initial, target):
    initial = np.asarray(initial, np.float32); target = np.asarray(target, np.float32)
    r = target / (initial + np.finfo(np.float32).tiny)
    m = r.min()
    a = (r - m) / (r.max() - m)
    accepted = initial * a
    out = m * initial + (1 - m) * accepted / accepted.sum()
    return m, a, out

for initial, target in [([0.95, 0.05], [0.5, 0.5]), ([0.6, 0.3, 0.1], [0.2, 0.3, 0.5])]:
    m, a, out = mixing(initial, target)
    print(f"initial {initial} target {target}: m = {m:.6f}, acceptance = {np.round(a, 6).tolist()}, output = {np.round(out, 6).tolist()}")
# initial [0.95, 0.05] target [0.5, 0.5]: m = 0.526316, acceptance = [0.0, 1.0], output = [0.5, 0.5]
# initial [0.6, 0.3, 0.1] target [0.2, 0.3, 0.5]: m = 0.333333, acceptance = [0.0, 0.142857, 1.0], output = [0.2, 0.3, 0.5]
