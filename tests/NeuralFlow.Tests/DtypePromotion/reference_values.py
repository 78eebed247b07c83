# The reference values of PromotionTests and EinsumBroadcastTests: run with /usr/bin/python3
# (numpy; torch 1.13 for the ops NumPy lacks). Each line prints the call, its value and dtype.
import numpy as np
import torch

f32, f64, i32 = np.float32, np.float64, np.int32


def show(name, value):
    value = np.asarray(value)
    print(f"{name}: {value.tolist()!r} {value.dtype}")


show("average(f64 [1,2,3], weights=f32 [3,2,1])", np.average(np.array([1, 2, 3], f64), weights=np.array([3, 2, 1], f32)))
show("digitize(i32 [0,1,2,3], f32 [0.5,1.5,2.5])", np.digitize(np.array([0, 1, 2, 3], i32), np.array([0.5, 1.5, 2.5], f32)))
show("digitize(..., right=True) of i32 [0,1,2] in f32 [0,1,2]", np.digitize(np.array([0, 1, 2], i32), np.array([0, 1, 2], f32), right=True))
show("searchsorted(f32 [0.5,1.5,2.5], i32 [0,1,2,3])", np.searchsorted(np.array([0.5, 1.5, 2.5], f32), np.array([0, 1, 2, 3], i32)))
show("isin(i32 [1,2,3], f32 [1,2.5,3])", np.isin(np.array([1, 2, 3], i32), np.array([1, 2.5, 3], f32)))
# torch for the result dtype of int32 with float32 (NumPy widens to float64; NF and Keras give float32).
show("hypot(i32 [3,5], f32 [4,12])", torch.hypot(torch.tensor([3, 5], dtype=torch.int32).float(), torch.tensor([4.0, 12.0])).numpy())
show("hypot(f64 [3,5], f32 [4,12])", np.hypot(np.array([3, 5], f64), np.array([4, 12], f32)))
show("logaddexp2(f32 [1,2], f64 [3,2])", np.logaddexp2(np.array([1, 2], f32), np.array([3, 2], f64)))
show("fmax(i32 [1,5], f32 [nan,2.5])", torch.fmax(torch.tensor([1, 5], dtype=torch.int32), torch.tensor([float("nan"), 2.5])).numpy())
show("fmin(i32 [1,5], f32 [nan,2.5])", torch.fmin(torch.tensor([1, 5], dtype=torch.int32), torch.tensor([float("nan"), 2.5])).numpy())
show("heaviside(i32 [-1,0,2], f32 [0.5])", torch.heaviside(torch.tensor([-1, 0, 2], dtype=torch.int32).float(), torch.tensor([0.5])).numpy())
show("xlogy(f32 [0,2], f64 [0,3])", torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0], dtype=torch.float64)).numpy())
x, y = np.array([1, 2], f32), np.array([0, 4], f64)
show("divide_no_nan f32 [1,2] / f64 [0,4] (tf.math.divide_no_nan: 0 where y == 0)", np.where(y == 0, 0, x / np.where(y == 0, 1, y)))
show("where([T,F], i32 [1,2], f32 [0.5,1.5])", torch.where(torch.tensor([True, False]), torch.tensor([1, 2], dtype=torch.int32), torch.tensor([0.5, 1.5])).numpy())
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
torch.where(torch.tensor([True, False]), x, y).sum().backward()
show("d/dx sum(where([T,F], f32 x, f64 y))", x.grad.numpy())
show("d/dy sum(where([T,F], f32 x, f64 y))", y.grad.numpy())
show("einsum('i,i->', [1,2], [3])", np.einsum("i,i->", np.array([1, 2], i32), np.array([3], i32)))
a = np.array([[1, 2], [3, 4], [5, 6]], f64)
show("einsum('ij,j->i', [[1,2],[3,4],[5,6]], [2])", np.einsum("ij,j->i", a, np.array([2], f64)))
show("einsum('ij,jk->ik', ones(2,1), [[1,2,3]]*3 rows)", np.einsum("ij,jk->ik", np.ones((2, 1)), np.array([[1, 2, 3]] * 3, f64)))
at = torch.tensor(a, requires_grad=True)
bt = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
torch.einsum("ij,j->i", at, bt).sum().backward()
show("d/db sum(einsum('ij,j->i', a, [2]))", bt.grad.numpy())
show("d/da sum(einsum('ij,j->i', a, [2]))", at.grad.numpy())
