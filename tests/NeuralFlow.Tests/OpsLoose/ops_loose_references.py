# Reference values for the OpsLoose tests (run with /usr/bin/python3: numpy, torch 1.13).
# TensorFlow's tensor_scatter_nd_{add,sub,min,max} combine every duplicate with the value already
# there, which is NumPy's ufunc.at on index tuples; keras.ops.scatter_update(reduction=...) is
# exactly np.{add,maximum,minimum,multiply}.at in Keras' NumPy backend.
import warnings
import numpy as np
import torch

warnings.filterwarnings("ignore")


def at(ufunc, tensor, indices, updates):
    out = np.array(tensor, dtype=np.float64, copy=True)
    ufunc.at(out, tuple(np.transpose(np.array(indices))), np.array(updates, dtype=np.float64))
    return out


# "nd": tensor [4, 3], index tuples of length 1 (rows) with row 1 twice.
t = np.array([[1, 5, -2], [0, 3, 7], [4, -1, 2], [6, 6, 6]], dtype=np.float64)
idx = [[1], [3], [1]]
upd = np.array([[2, 1, 9], [-3, 8, 6], [-5, 4, 10]], dtype=np.float64)
for name, f in [("add", np.add), ("sub", np.subtract), ("min", np.minimum), ("max", np.maximum), ("mul", np.multiply)]:
    print("nd", name, at(f, t, idx, upd).ravel().tolist())

# "elem": tensor [2, 3], full index tuples, (0, 2) three times.
t2 = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float64)
idx2 = [[0, 2], [1, 0], [0, 2], [0, 2]]
upd2 = [10, -1, 0.5, -7]
for name, f in [("add", np.add), ("min", np.minimum), ("max", np.maximum), ("mul", np.multiply)]:
    print("elem", name, at(f, t2, idx2, upd2).ravel().tolist())

# keras.ops.scatter_update's docstring example (reduction="add").
print("keras add", at(np.add, np.zeros(4), [[0], [0], [1]], [1.0, 1.0, 1.0]).tolist())

# torch.scatter_reduce along axis 1 of a [2, 4] input with a [2, 3] index (src [2, 3]), and along axis 0.
inp = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]], dtype=torch.float64)
index = torch.tensor([[0, 2, 0], [3, 3, 1]])
src = torch.tensor([[10.0, -1.0, 0.5], [2.0, -4.0, 9.0]], dtype=torch.float64)
for reduce in ["sum", "prod", "mean", "amax", "amin"]:
    for include_self in [True, False]:
        out = inp.scatter_reduce(1, index, src, reduce, include_self=include_self)
        print("torch1", reduce, include_self, out.ravel().tolist())
index0 = torch.tensor([[1, 0, 1, 1]])
src0 = torch.tensor([[3.0, -2.0, 0.25, 100.0], [7.0, 7.0, 7.0, 7.0]], dtype=torch.float64)
for reduce in ["sum", "amax", "mean"]:
    print("torch0", reduce, inp.scatter_reduce(0, index0, src0, reduce).ravel().tolist())
# integer mean floors
zi = torch.zeros(3, dtype=torch.int64)
print("torch int mean", zi.scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([1, 2, -7]), "mean").tolist())
print("torch int mean noself", torch.tensor([10, 20, 30]).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([1, 2, -7]), "mean", include_self=False).tolist())
# torch.scatter_reduce's docstring
print("torch doc sum", torch.tensor([1., 2., 3., 4.]).scatter_reduce(0, torch.tensor([0, 1, 0, 1, 2, 1]), torch.tensor([1., 2., 3., 4., 5., 6.]), "sum").tolist())
print("torch doc amax noself", torch.tensor([1., 2., 3., 4.]).scatter_reduce(0, torch.tensor([0, 1, 0, 1, 2, 1]), torch.tensor([1., 2., 3., 4., 5., 6.]), "amax", include_self=False).tolist())


# A custom gradient of two inputs and two outputs (torch.autograd.Function, the counterpart of
# tf.custom_gradient returning a tuple): outputs (x * y, sin(x) + y), a deliberately scaled gradient
# 2 * (true gradient) so that the custom rule, not the forward ops, is what is measured.
class TwoByTwo(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y, torch.sin(x) + y

    @staticmethod
    def backward(ctx, d1, d2):
        x, y = ctx.saved_tensors
        return 2 * (d1 * y + d2 * torch.cos(x)), 2 * (d1 * x + d2)


x = torch.tensor([0.5, -1.25, 2.0], dtype=torch.float64, requires_grad=True)
y = torch.tensor([3.0, 0.25, -1.5], dtype=torch.float64, requires_grad=True)
a, b = TwoByTwo.apply(x, y)
(torch.sum(a * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)) + torch.sum(b * b)).backward()
print("custom2x2 outputs", a.tolist(), b.tolist())
print("custom2x2 dx", x.grad.tolist(), "dy", y.grad.tolist())
x.grad = None
y.grad = None
a, b = TwoByTwo.apply(x, y)
torch.sum(a).backward()   # b unused: its upstream is zeros
print("custom2x2 only first dx", x.grad.tolist(), "dy", y.grad.tolist())


# np.histogram with explicit (uneven) edges and with weights.
xs = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 7.5, 10.0, -1.0, np.nan, 12.0])
ws = np.array([1.0, 2.0, 0.5, -1.0, 3.0, 4.0, 0.25, 8.0, 100.0, 50.0, 9.0])
edges = np.array([0.0, 1.0, 2.0, 5.0, 10.0])
print("hist edges", np.histogram(xs, bins=edges)[0].tolist())
print("hist edges weights", np.histogram(xs, bins=edges, weights=ws)[0].tolist())
xs2 = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0])
print("hist 3 bins weights", np.histogram(xs2, bins=3, weights=ws[:6]))
print("hist repeated edge", np.histogram(np.array([1.0, 2.0, 2.0, 3.0]), bins=np.array([1.0, 2.0, 2.0, 3.0]))[0].tolist())

# np.logspace / np.geomspace with array ends (shape [num, *broadcast]) and an axis.
print("logspace arrays", np.logspace(np.array([0.0, 1.0]), np.array([[2.0, 3.0], [1.0, -1.0]]), num=3).ravel().tolist())
print("logspace axis -1 noend base 2", np.logspace(np.array([0.0, 1.0]), np.array([4.0, 2.0]), num=4, endpoint=False, base=2.0, axis=-1).ravel().tolist())
print("geomspace arrays", np.geomspace(np.array([1.0, -8.0, 2.0]), np.array([1000.0, -1.0, 2.0]), num=4).ravel().tolist())
print("geomspace noend axis 1", np.geomspace(np.array([1.0, 3.0]), np.array([16.0, 48.0]), num=4, endpoint=False, axis=1).ravel().tolist())
print("geomspace mixed signs", np.geomspace(np.array([-1.0]), np.array([1.0]), num=3).ravel().tolist())
