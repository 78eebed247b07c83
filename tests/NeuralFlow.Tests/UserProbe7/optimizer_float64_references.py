# Reference values for OptimizerFloat64Tests.cs: Keras 3's update rules
# (keras/src/optimizers/*.py update_step) written out in float64 NumPy, run with /usr/bin/python3.
# Two variables (w1 of shape (3,), w2 of shape (2, 2)) get three steps of fixed gradients.
import numpy as np
np.set_printoptions(precision=17)
W1 = np.array([0.5, -1.25, 2.0]); W2 = np.array([[1.0, -2.0], [0.25, 3.0]])
G = [(np.array([0.1, -0.2, 0.3]), np.array([[1.0, -0.5], [0.0, 2.0]])),
     (np.array([-0.4, 0.05, 0.3]), np.array([[0.5, 0.5], [-1.0, 0.25]])),
     (np.array([0.2, 0.2, -0.6]), np.array([[-2.0, 1.0], [3.0, -0.5]]))]

def run(update, init_slots, clip=None, wd=None, lr=0.1):
    ws = [W1.copy(), W2.copy()]
    slots = [init_slots(w) for w in ws]
    state = {}
    for t, gs in enumerate(G):
        gs = [g.copy() for g in gs]
        if clip: gs = clip(gs)
        for i, w in enumerate(ws):
            if wd: w -= w * wd * lr
            update(w, gs[i], slots[i], t, lr, state, i)
    return ws

def sgd(m, nesterov):
    def up(w, g, s, t, lr, st, i):
        s['v'] = m * s['v'] - lr * g
        w += (m * s['v'] - lr * g) if nesterov else s['v']
    return up, lambda w: {'v': np.zeros_like(w)}

def adam(amsgrad, b1=0.9, b2=0.999, eps=1e-7):
    def up(w, g, s, t, lr, st, i):
        s['m'] += (g - s['m']) * (1 - b1); s['v'] += (g * g - s['v']) * (1 - b2)
        alpha = lr * np.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1))
        v = s['v']
        if amsgrad: s['vh'] = np.maximum(s['vh'], s['v']); v = s['vh']
        w -= s['m'] * alpha / (np.sqrt(v) + eps)
    return up, lambda w: {'m': np.zeros_like(w), 'v': np.zeros_like(w), 'vh': np.zeros_like(w)}

def nadam(b1=0.9, b2=0.999, eps=1e-7):
    # u_product is advanced once per step (before all variables), as Keras' _backend_update_step.
    def up(w, g, s, t, lr, st, i):
        if i == 0: st['u'] = st.get('u', 1.0) * b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_t = b1 * (1 - 0.5 * 0.96 ** (t + 1)); u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 2))
        up_t = st['u']; up_t1 = up_t * u_t1
        s['m'] += (g - s['m']) * (1 - b1); s['v'] += (g * g - s['v']) * (1 - b2)
        m_hat = u_t1 * s['m'] / (1 - up_t1) + (1 - u_t) * g / (1 - up_t)
        v_hat = s['v'] / (1 - b2 ** (t + 1))
        w -= m_hat * lr / (np.sqrt(v_hat) + eps)
    return up, lambda w: {'m': np.zeros_like(w), 'v': np.zeros_like(w)}

def rmsprop(rho=0.9, mom=0.0, centered=False, eps=1e-7):
    def up(w, g, s, t, lr, st, i):
        s['v'] = rho * s['v'] + (1 - rho) * g * g
        if centered:
            s['a'] = rho * s['a'] + (1 - rho) * g; den = s['v'] - s['a'] ** 2 + eps
        else: den = s['v'] + eps
        inc = lr * g / np.sqrt(den)
        if mom > 0: s['m'] = mom * s['m'] + inc; w -= s['m']
        else: w -= inc
    return up, lambda w: {'v': np.zeros_like(w), 'a': np.zeros_like(w), 'm': np.zeros_like(w)}

def adagrad(init=0.1, eps=1e-7):
    def up(w, g, s, t, lr, st, i):
        s['acc'] += g * g; w -= lr * g / np.sqrt(s['acc'] + eps)
    return up, lambda w: {'acc': np.full_like(w, init)}

def adadelta(rho=0.95, eps=1e-7):
    def up(w, g, s, t, lr, st, i):
        s['ag'] = rho * s['ag'] + (1 - rho) * g * g
        d = -np.sqrt(s['ad'] + eps) * g / np.sqrt(s['ag'] + eps)
        s['ad'] = rho * s['ad'] + (1 - rho) * d * d
        w += lr * d
    return up, lambda w: {'ag': np.zeros_like(w), 'ad': np.zeros_like(w)}

def adamax(b1=0.9, b2=0.999, eps=1e-7):
    def up(w, g, s, t, lr, st, i):
        s['m'] += (g - s['m']) * (1 - b1); s['u'] = np.maximum(b2 * s['u'], np.abs(g))
        w -= lr * s['m'] / ((1 - b1 ** (t + 1)) * (s['u'] + eps))
    return up, lambda w: {'m': np.zeros_like(w), 'u': np.zeros_like(w)}

def lion(b1=0.9, b2=0.99):
    def up(w, g, s, t, lr, st, i):
        w -= lr * np.sign(s['m'] * b1 + g * (1 - b1)); s['m'] = s['m'] * b2 + g * (1 - b2)
    return up, lambda w: {'m': np.zeros_like(w)}

def global_clip(c):
    def f(gs):
        n = np.sqrt(sum((g * g).sum() for g in gs))
        return [g * c / max(n, c) for g in gs]
    return f

def clip_norm(c):
    return lambda gs: [g * c / max(np.sqrt((g * g).sum()), c) for g in gs]

def show(name, ws):
    print(name, "w1:", repr(ws[0].tolist()), "w2:", repr(ws[1].ravel().tolist()))

show("sgd_nesterov m=0.9", run(*sgd(0.9, True)))
show("adam_amsgrad", run(*adam(True)))
show("nadam", run(*nadam()))
show("rmsprop centered m=0.5", run(*rmsprop(mom=0.5, centered=True)))
show("adagrad (Keras 3, epsilon inside the root)", run(*adagrad()))
show("rmsprop m=0.5 (Keras 3, epsilon inside the root)", run(*rmsprop(mom=0.5)))
show("adadelta lr=1", run(*adadelta(), lr=1.0))
show("adamax", run(*adamax()))
show("lion", run(*lion()))
show("adamw wd=0.1 global_clipnorm=1", run(*adam(False), clip=global_clip(1.0), wd=0.1))
show("sgd clipnorm=0.5 wd=0.05", run(*sgd(0.0, False), clip=clip_norm(0.5), wd=0.05))

# PyTorch adds epsilon outside the root (sqrt(acc) + eps); NeuralFlow follows Keras 3 (inside) since
# the nineteenth session. Printed for comparison only.
import torch
def torch_run(make):
    ws = [torch.tensor(W1, requires_grad=True), torch.tensor(W2, requires_grad=True)]
    opt = make(ws)
    for gs in G:
        for w, g in zip(ws, gs): w.grad = torch.tensor(g)
        opt.step()
    return [w.detach().numpy() for w in ws]
show("torch adagrad init 0.1 eps 1e-7 (not followed)", torch_run(lambda ws: torch.optim.Adagrad(ws, lr=0.1, initial_accumulator_value=0.1, eps=1e-7)))
show("torch rmsprop alpha 0.9 momentum 0.5 eps 1e-7 (not followed)", torch_run(lambda ws: torch.optim.RMSprop(ws, lr=0.1, alpha=0.9, momentum=0.5, eps=1e-7)))
