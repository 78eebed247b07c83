# Reference for RaggedInputRecurrentTests: a Keras LSTM (kernel [in, 4u], recurrent [u, 4u], gates i, f, c, o; one bias)
# run over ragged rows equals torch's LSTM on pack_padded_sequence (same gate order; b_hh = 0): the last output of each
# row is h at the row's own last step. Weights in closed form so the C# test makes the same ones.
import numpy as np, torch
inp, units = 2, 3
kernel = np.array([[np.sin(0.3 * (r * 4 * units + c) + 0.1) * 0.5 for c in range(4 * units)] for r in range(inp)], np.float32)
recurrent = np.array([[np.cos(0.2 * (r * 4 * units + c)) * 0.4 for c in range(4 * units)] for r in range(units)], np.float32)
bias = np.array([0.05 * c - 0.2 for c in range(4 * units)], np.float32)
rows = [[[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]], [[1.0, 1.0]], [[-0.5, 0.5], [2.0, -1.5]]]
lengths = [len(r) for r in rows]
padded = np.zeros((3, 3, inp), np.float32)
for i, r in enumerate(rows): padded[i, :len(r)] = r
lstm = torch.nn.LSTM(inp, units, batch_first=True)
with torch.no_grad():
    lstm.weight_ih_l0.copy_(torch.tensor(kernel.T)); lstm.weight_hh_l0.copy_(torch.tensor(recurrent.T))
    lstm.bias_ih_l0.copy_(torch.tensor(bias)); lstm.bias_hh_l0.zero_()
packed = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(padded), lengths, batch_first=True, enforce_sorted=False)
out, (h, c) = lstm(packed)
seq, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
np.set_printoptions(precision=8, suppress=True)
print("last", [f"{v:.7f}f" for v in h[0].detach().numpy().ravel()])
print("seq", [f"{v:.7f}f" for i, r in enumerate(rows) for v in seq[i, :len(r)].detach().numpy().ravel()])
