# Reference values for CoreOptimizersTests (run with /usr/bin/python3: PyTorch 1.13): the optimizers_core guide's
# convergence_test of hand-written gradient descent, momentum and Adam on 2x^4 + 3x^3 + 2 from x = 2, in float32.
import torch
def loss(x): return 2*(x**4) + 3*(x**3) + 2
def grad(x):
    x = x.detach().requires_grad_(True)
    y = loss(x)
    g, = torch.autograd.grad(y, x)
    return g
def run(kind, lr, init=2.0, max_iters=2000):
    x = torch.tensor(init, dtype=torch.float32)
    change = torch.tensor(0.0); v = torch.tensor(0.0); s = torch.tensor(0.0); t = 1.0
    path = []
    for it in range(1, max_iters + 1):
        g = grad(x)
        if torch.isnan(g): return ('exploded', it, None)
        old = x.clone()
        if kind == 'gd': x = x - lr*g
        elif kind == 'mtm':
            c = lr*g + 0.7*change; x = x - c; change = c
        else:
            v = 0.9*v + (1-0.9)*g; s = 0.999*s + (1-0.999)*torch.square(g)
            vb = v/(1-(0.9**t)); sb = s/(1-(0.999**t))
            x = x - lr*(vb/(torch.sqrt(sb) + 1e-7)); t += 1.
        path.append(x.item())
        if x == old: return ('converged', it, x.item())
    return ('exceeded', max_iters, x.item())
for kind in ('gd', 'mtm', 'adam'):
    for lr in (1e-3, 1e-2, 1e-1):
        print(kind, lr, run(kind, lr))
