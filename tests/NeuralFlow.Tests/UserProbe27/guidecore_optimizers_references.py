# Reference values for GuideCoreOptimizersTests (TensorFlow's guide/core/optimizers_core.ipynb): the guide's
# gradient descent, momentum and Adam written in float32 numpy with TensorFlow's arithmetic (Python scalars cast to
# float32 before each op; the gradient of 2x^4 + 3x^3 + 2 as TF's Pow gradient forms it, (grad*y)*x^(y-1)), and
# the same loop in PyTorch 1.13 autograd as a cross-check. Run with /usr/bin/python3.
import numpy as np
import torch

f32 = np.float32

def tf_grad(x):
    x = f32(x)
    return f32(f32(f32(2) * f32(4)) * f32(x ** f32(3))) + f32(f32(f32(3) * f32(3)) * f32(x ** f32(2)))

def torch_grad(x):
    t = torch.tensor(float(x), dtype=torch.float32, requires_grad=True)
    (2 * (t ** 4) + 3 * (t ** 3) + 2).backward()
    return f32(t.grad.item())

class GD:
    def __init__(self, lr): self.lr = lr
    def step(self, g, x): return f32(x - f32(f32(self.lr) * g))

class Momentum:
    def __init__(self, lr, momentum=0.7): self.lr, self.m, self.change = lr, momentum, None
    def step(self, g, x):
        c = f32(f32(self.lr) * g)
        if self.change is not None: c = f32(c + f32(f32(self.m) * self.change))
        else: c = f32(c + f32(self.m * 0.0))
        self.change = c
        return f32(x - c)

class Adam:
    def __init__(self, lr, b1=0.9, b2=0.999, ep=1e-7): self.lr, self.b1, self.b2, self.ep, self.t, self.v, self.s = lr, b1, b2, ep, 1., f32(0), f32(0)
    def step(self, g, x):
        self.v = f32(f32(f32(self.b1) * self.v) + f32(f32(1 - self.b1) * g))
        self.s = f32(f32(f32(self.b2) * self.s) + f32(f32(1 - self.b2) * f32(g * g)))
        vbc = f32(self.v / f32(1 - self.b1 ** self.t))
        sbc = f32(self.s / f32(1 - self.b2 ** self.t))
        upd = f32(f32(self.lr) * f32(vbc / f32(f32(np.sqrt(sbc)) + f32(self.ep))))
        self.t += 1.
        return f32(x - upd)

def convergence(opt, grad, init=2., max_iters=2000):
    x = f32(init); path = []
    with np.errstate(all='ignore'):
        for it in range(1, max_iters + 1):
            g = grad(x)
            if np.isnan(g): return ("exploded", it, path)
            old = x
            x = opt.step(g, x); path.append(x)
            if x == old: return ("converged", it, path)
    return ("exceeded", max_iters, path)

for name, cls in [("gd", GD), ("momentum", Momentum), ("adam", Adam)]:
    for lr in [1e-3, 1e-2, 1e-1]:
        for gname, grad in [("tf", tf_grad), ("torch", torch_grad)]:
            kind, it, path = convergence(cls(lr), grad)
            last = repr(float(path[-1])) if path else None
            p10 = [repr(float(v)) for v in path[:3]]
            print(f"{name} lr={lr} [{gname}] {kind} {it} len={len(path)} last={last} first3={p10}")
