# Reference values for TrustSweep4DiscretizationTests (run with /usr/bin/python3): where a NaN falls among
# bin boundaries. Keras 3's Discretization is ops.digitize (np.digitize; TF's Bucketize), whose NaN is
# below no boundary, so it takes the last bin; torch.bucketize(right=True) agrees.
import numpy as np
import torch
x = [float('nan'), 0.5, -1.0, 1.0, 0.0, float('inf'), float('-inf')]
bins = [0.0, 1.0]
print('np.digitize', np.digitize(np.array(x, dtype=np.float32), np.array(bins, dtype=np.float32)).tolist())
print('torch.bucketize', torch.bucketize(torch.tensor(x), torch.tensor(bins), right=True).tolist())
# Duplicate boundaries: a value on a repeated boundary is past both copies.
print('np.digitize dup', np.digitize(np.array([0.5, 1.0, 1.5, 2.0], dtype=np.float32), np.array([1.0, 1.0, 2.0], dtype=np.float32)).tolist())
