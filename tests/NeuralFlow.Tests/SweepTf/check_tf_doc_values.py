# Re-derives, with PyTorch 1.13 / NumPy (/usr/bin/python3), the printed values of the TensorFlow
# docstring examples that TfArrayNnDocTests asserts, so each number has a second source.
import numpy as np, torch
F = torch.nn.functional
t = lambda v: torch.tensor(v, dtype=torch.float32)
print("softmax", F.softmax(t([-1., 0., 1.]), -1).numpy())
print("log_softmax", F.log_softmax(t([-1., 0., 1.]), -1).numpy())
x = t([-3., -1., 0., 1., 3.])
print("gelu", F.gelu(x).numpy(), "tanh", F.gelu(x, approximate="tanh").numpy())
print("leaky_relu", F.leaky_relu(t([-2., 0., 1.]), 0.2).numpy())
print("sigmoid_ce", F.binary_cross_entropy_with_logits(t([1., -1., 0., 1., -1., 0., 0.]), t([0., 0., 0., 1., 1., 1., 0.5]), reduction="none").numpy())
print("softmax_ce", -(t([[1., 0., 0.], [0., .8, .2]]) * F.log_softmax(t([[4., 2., 1.], [0., 5., 1.]]), -1)).sum(-1).numpy())
print("sparse_ce", F.cross_entropy(t([[2., -5., .5, -.1], [0., 0., 1.9, 1.4], [-100., 100., -100., -100.]]), torch.tensor([0, 3, 1]), reduction="none").numpy())
print("log_sigmoid", F.logsigmoid(t([0., 1., 50., 100.])).numpy(), F.logsigmoid(t([-100., -50., -1., 0.])).numpy())
n = t([[1, 2, 3, 4, 5]]); print("clip_by_norm", (n * 2.0 / n.norm()).numpy())
print("einsum", np.einsum("ij,jk->ik", [[1, 2], [3, 4]], [[5, 6], [7, 8]]))
print("argsort", np.argsort([1, 10, 26.7, 2.8, 166.32, 62.3], kind="stable"), np.argsort(-np.array([1, 10, 26.7, 2.8, 166.32, 62.3]), kind="stable"))
