#!/usr/bin/python3
"""References for TutorialWord2VecTests: Keras' make_sampling_table(size=10) as its docstring states the
formula (word2vec's keep probability under Zipf's law, gamma 0.577), and the log-uniform probabilities of
tf.random.log_uniform_candidate_sampler for range_max 8, in float64 with numpy."""
import numpy as np

rank = np.arange(10, dtype=np.float64)
rank[0] = 1
f = 1e-5 * (rank * (np.log(rank) + 0.577) + 0.5 - 1.0 / (12.0 * rank))
print("make_sampling_table(10):", repr(np.minimum(1.0, f / np.sqrt(f)).tolist()))
c = np.arange(8, dtype=np.float64)
print("log-uniform P(c), range 8:", repr((np.log((c + 2) / (c + 1)) / np.log(9)).tolist()))
