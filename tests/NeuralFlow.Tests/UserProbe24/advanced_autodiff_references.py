# Reference values for GuideAdvancedAutodiffTests: the advanced autodiff guide's cells on fixed inputs and weights.
# x: value k of the [7, 5] input is sin(0.53 k + 0.2); weights as UserProbe21/SineWeights.cs (value k of weight v,
# Keras' [in, out] layout, is 0.3 sin(0.37 k + 1.1 v) for a kernel, 0.05 sin(0.37 k + 1.1 v) for a bias); the first
# layer's weights are v = 0, 1, the second's v = 4, 5 (so that half of its relu units are active).
import math
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


def weight(shape, v, bias):
    n = math.prod(shape)
    scale = 0.05 if bias else 0.3
    return torch.tensor([scale * math.sin(0.37 * k + 1.1 * v) for k in range(n)]).reshape(shape)


x = torch.tensor([math.sin(0.53 * k + 0.2) for k in range(35)]).reshape(7, 5)

# Input gradient regularization: the gradient of |d sum(relu(x W + b)^2) / dx| with respect to W and b.
w = weight([5, 10], 0, False).requires_grad_()
b = weight([10], 1, True).requires_grad_()
xi = x.clone().requires_grad_()
out = torch.sum(F.relu(xi @ w + b) ** 2)
g1, = torch.autograd.grad(out, xi, create_graph=True)
g1_mag = torch.linalg.norm(g1)
dw, db = torch.autograd.grad(g1_mag, [w, b])
print("g1_mag", f"{g1_mag.item():.7f}")
print("dg1_mag sums", f"{dw.sum().item():.7f}", f"{db.sum().item():.7f}", "abs", f"{dw.abs().sum().item():.7f}")

# Jacobian of y = relu(x W + b) with respect to W: its sum over y is the gradient of sum(y).
y = F.relu(x @ w + b)
print("y sum", f"{y.sum().item():.7f}")

# The Hessian of mean(relu(relu(x W1 + b1) W2 + b2)^2) in W1, then one Newton step.
w1 = weight([5, 8], 0, False)
b1 = weight([8], 1, True)
w2 = weight([8, 6], 4, False)
b2 = weight([6], 5, True)


def loss_of(k1):
    h = F.relu(x @ k1 + b1)
    return torch.mean(F.relu(h @ w2 + b2) ** 2)


w1r = w1.clone().requires_grad_()
g, = torch.autograd.grad(loss_of(w1r), w1r)
h = torch.autograd.functional.hessian(loss_of, w1)
print("g sum", f"{g.sum().item():.7f}", "h sum", f"{h.sum().item():.7f}", "h abs", f"{h.abs().sum().item():.7f}")
h_mat = h.reshape(40, 40)
update = torch.linalg.solve(h_mat + torch.eye(40) * 1e-3, g.reshape(40, 1))
new_w1 = w1 - update.reshape(5, 8)
print("new kernel sum", f"{new_w1.sum().item():.6f}", "abs", f"{new_w1.abs().sum().item():.6f}", "loss", f"{loss_of(new_w1).item():.7f}")

# Batch Jacobian of elu layers.
def elu_net(xx):
    return F.elu(F.elu(xx @ w1 + b1) @ w2 + b2)


j = torch.autograd.functional.jacobian(elu_net, x)   # [7, 6, 7, 5]
jb = torch.einsum('bxby->bxy', j)
print("jb sum", f"{jb.sum().item():.7f}", "abs", f"{jb.abs().sum().item():.7f}")
