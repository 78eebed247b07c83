# The numbers in CellReferenceTests: one step of torch.nn.RNNCell / LSTMCell / GRUCell (PyTorch 1.13)
# with the weights the test gives the NeuralFlow cells, converted from Keras' layout.
# Run: /usr/bin/python3 make_cell_references.py
import numpy as np, torch
F, U, B = 3, 4, 2
def fill(shape, f):
    n = int(np.prod(shape)); return np.array([f(j) for j in range(n)], dtype=np.float64).reshape(shape)
def weights(g, bias_shape):
    k = fill((F, g * U), lambda j: 0.5 * np.cos(0.13 * j + 0.2))
    r = fill((U, g * U), lambda j: 0.4 * np.sin(0.17 * j + 0.3))
    b = fill(bias_shape, lambda j: 0.1 * np.cos(0.7 * j))
    return k, r, b
x = torch.tensor(fill((B, F), lambda j: 0.8 * np.sin(0.37 * j + 0.1)))
h = torch.tensor(fill((B, U), lambda j: 0.3 * np.cos(0.23 * j)))
c = torch.tensor(fill((B, U), lambda j: 0.5 * np.sin(0.31 * j)))
def show(name, *ts):
    for i, t in enumerate(ts): print(name, i, ", ".join(f"{v:.7f}f" for v in t.detach().numpy().ravel()))
with torch.no_grad():
    k, r, b = weights(1, (U,))
    cell = torch.nn.RNNCell(F, U).double()
    cell.weight_ih[:] = torch.tensor(k.T); cell.weight_hh[:] = torch.tensor(r.T); cell.bias_ih[:] = torch.tensor(b); cell.bias_hh[:] = 0
    show("simple", cell(x, h))
    k, r, b = weights(4, (4 * U,))   # Keras' i, f, c, o is PyTorch's i, f, g, o
    cell = torch.nn.LSTMCell(F, U).double()
    cell.weight_ih[:] = torch.tensor(k.T); cell.weight_hh[:] = torch.tensor(r.T); cell.bias_ih[:] = torch.tensor(b); cell.bias_hh[:] = 0
    show("lstm", *cell(x, (h, c)))
    k, r, b = weights(3, (2, 3 * U))  # Keras' z, r, h is PyTorch's r, z, n reordered; reset_after's two bias rows are b_ih, b_hh
    order = lambda m: np.concatenate([m[..., U:2 * U], m[..., :U], m[..., 2 * U:]], axis=-1)
    cell = torch.nn.GRUCell(F, U).double()
    cell.weight_ih[:] = torch.tensor(order(k).T); cell.weight_hh[:] = torch.tensor(order(r).T)
    cell.bias_ih[:] = torch.tensor(order(b[0])); cell.bias_hh[:] = torch.tensor(order(b[1]))
    show("gru", cell(x, h))
