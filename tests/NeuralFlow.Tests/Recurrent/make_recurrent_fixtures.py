"""Reference values for RecurrentLayerTests.cs (SimpleRNN, LSTM, GRU), from PyTorch.

Run from this folder: /usr/bin/python3 make_recurrent_fixtures.py  (torch 1.13, numpy); it writes
recurrent_fixtures.json. Weights and inputs are drawn in Keras' layout (kernel [F, k*U],
recurrent_kernel [U, k*U], bias [k*U] or GRU reset_after's [2, 3*U]; gate blocks LSTM i,f,c,o,
GRU z,r,h) and rounded to float32. Each layer is run by a float64 loop written from Keras 3's
cell equations (lstm.py, gru.py, simple_rnn.py), which is checked here against torch.nn.RNN /
LSTM / GRU with the weights mapped (transposed; GRU's blocks reordered to r,z,n; PyTorch's two
biases as Keras' reset_after rows, or the bias and zeros), except GRU reset_after=False, which
PyTorch lacks. go_backwards is the loop over the reversed steps, its sequence in that order.
Gradients are PyTorch autograd of sum(sequence * w) for a fixed w, forward direction.
"""
import json

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(7)


def f32(shape, scale=1.0):
    return (rng.uniform(-1, 1, size=shape) * scale).astype(np.float32).astype(np.float64)


def keras_loop(kind, x, k, r, b, units, backwards, reset_after=True):
    batch, steps, _ = x.shape
    h = torch.zeros(batch, units)
    c = torch.zeros(batch, units)
    seq = []
    order = range(steps - 1, -1, -1) if backwards else range(steps)
    if kind == "gru" and reset_after:
        b_in, b_rec = b[0], b[1]
    for t in order:
        xt = x[:, t, :]
        if kind == "simple_rnn":
            h = torch.tanh(xt @ k + b + h @ r)
        elif kind == "lstm":
            z = xt @ k + h @ r + b
            i, f, cc, o = torch.split(z, units, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(cc)
            h = torch.sigmoid(o) * torch.tanh(c)
        elif reset_after:
            xz, xr, xh = torch.split(xt @ k + b_in, units, dim=1)
            rz, rr, rh = torch.split(h @ r + b_rec, units, dim=1)
            zg, rg = torch.sigmoid(xz + rz), torch.sigmoid(xr + rr)
            h = zg * h + (1 - zg) * torch.tanh(xh + rg * rh)
        else:
            xz, xr, xh = torch.split(xt @ k + b, units, dim=1)
            rz, rr = torch.split(h @ r[:, : 2 * units], units, dim=1)
            zg, rg = torch.sigmoid(xz + rz), torch.sigmoid(xr + rr)
            h = zg * h + (1 - zg) * torch.tanh(xh + (rg * h) @ r[:, 2 * units:])
        seq.append(h)
    states = [h, c] if kind == "lstm" else [h]
    return torch.stack(seq, 1), states


def torch_module(kind, k, r, b, units):
    features = k.shape[0]
    if kind == "simple_rnn":
        m = torch.nn.RNN(features, units, batch_first=True)
        w_ih, w_hh, b_ih, b_hh = k.T, r.T, b, torch.zeros_like(b)
    elif kind == "lstm":  # PyTorch's i, f, g, o is Keras' i, f, c, o
        m = torch.nn.LSTM(features, units, batch_first=True)
        w_ih, w_hh, b_ih, b_hh = k.T, r.T, b, torch.zeros_like(b)
    else:  # Keras z, r, h -> PyTorch r, z, n
        m = torch.nn.GRU(features, units, batch_first=True)
        def rzn(a):
            z, rr, hh = torch.split(a, units, dim=-1)
            return torch.cat([rr, z, hh], -1)
        w_ih, w_hh, b_ih, b_hh = rzn(k).T, rzn(r).T, rzn(b[0]), rzn(b[1])
    with torch.no_grad():
        m.weight_ih_l0.copy_(w_ih)
        m.weight_hh_l0.copy_(w_hh)
        m.bias_ih_l0.copy_(b_ih)
        m.bias_hh_l0.copy_(b_hh)
    return m


def case(name, kind, units, features, batch, steps, reset_after=True):
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    x = torch.tensor(f32((batch, steps, features), 1.5))
    k = torch.tensor(f32((features, gates * units), 0.8))
    r = torch.tensor(f32((units, gates * units), 0.8))
    bias_shape = (2, 3 * units) if kind == "gru" and reset_after else (gates * units,)
    b = torch.tensor(f32(bias_shape, 0.5))
    w = torch.tensor(f32((batch, steps, units)))
    seq, states = keras_loop(kind, x, k, r, b, units, False, reset_after)
    seq_back, states_back = keras_loop(kind, x, k, r, b, units, True, reset_after)
    if not (kind == "gru" and not reset_after):
        m = torch_module(kind, k, r, b, units)
        y, hn = m(x)
        assert torch.allclose(y, seq, atol=1e-12), name
        y_back, _ = m(torch.flip(x, [1]))
        assert torch.allclose(y_back, seq_back, atol=1e-12), name
        last = [hn[0][0], hn[1][0]] if kind == "lstm" else [hn[0]]
        for a, e in zip(last, states):
            assert torch.allclose(a, e, atol=1e-12), name
    leaves = [t.clone().requires_grad_(True) for t in (x, k, r, b)]
    gseq, _ = keras_loop(kind, *leaves, units, False, reset_after)
    (gseq * w).sum().backward()
    flat = lambda t: t.detach().reshape(-1).tolist()
    return {
        "name": name, "kind": kind, "units": units, "reset_after": reset_after,
        "x": flat(x), "x_shape": list(x.shape),
        "kernel": flat(k), "recurrent": flat(r), "bias": flat(b), "bias_shape": list(bias_shape),
        "sequence": flat(seq), "states": [flat(s) for s in states],
        "sequence_back": flat(seq_back), "states_back": [flat(s) for s in states_back],
        "w": flat(w), "dx": flat(leaves[0].grad), "dkernel": flat(leaves[1].grad),
        "drecurrent": flat(leaves[2].grad), "dbias": flat(leaves[3].grad),
    }


cases = [
    case("simple_rnn", "simple_rnn", 4, 3, 2, 5),
    case("lstm", "lstm", 3, 2, 2, 6),
    case("gru", "gru", 3, 4, 3, 5),
    case("gru_reset_before", "gru", 4, 3, 2, 4, reset_after=False),
    case("lstm_one_step", "lstm", 2, 3, 1, 1),
]
with open("recurrent_fixtures.json", "w") as f:
    json.dump({"cases": cases}, f)
print("wrote", len(cases), "cases")
