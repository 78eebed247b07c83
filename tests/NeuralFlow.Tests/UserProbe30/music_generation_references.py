# Reference numbers for Probe30MusicGenerationTests (TensorFlow's music_generation tutorial, small data).
# Notes, windows and weights follow the formulas the test writes; the LSTM is Keras' (gates i, f, c, o; sigmoid and
# tanh), written out in NumPy float64 (no torch on this machine). Run: /usr/bin/python3 music_generation_references.py
import numpy as np
n_notes, seq_length, vocab, units = 153, 25, 128, 128
i = np.arange(n_notes)
notes = np.stack([40 + (7 * i) % 30, 0.1 + 0.05 * ((3 * i) % 5), 0.2 + 0.1 * ((5 * i) % 4)], axis=1).astype(np.float64)

def sine(shape, index, scale):
    k = np.arange(int(np.prod(shape)))
    return (scale * np.sin(0.37 * k + 1.1 * index)).reshape(shape)

kernel, recurrent, bias = sine((3, 4 * units), 0, 0.1), sine((units, 4 * units), 1, 0.1), sine((4 * units,), 2, 0.05)
heads = {name: (sine((units, size), 2 * layer + 1, 0.1), sine((size,), 2 * layer + 2, 0.05))
         for layer, (name, size) in enumerate([("pitch", 128), ("step", 1), ("duration", 1)], start=1)}
sigmoid = lambda z: 1 / (1 + np.exp(-z))

windows = np.stack([notes[s:s + seq_length + 1] for s in range(n_notes - seq_length)])
x = windows[:, :-1] / np.array([vocab, 1.0, 1.0])
y = windows[:, -1]
h = np.zeros((len(x), units)); c = np.zeros((len(x), units))
for t in range(seq_length):
    z = x[:, t] @ kernel + h @ recurrent + bias
    i_, f_, g_, o_ = np.split(z, 4, axis=1)
    c = sigmoid(f_) * c + sigmoid(i_) * np.tanh(g_)
    h = sigmoid(o_) * np.tanh(c)
pred = {k: h @ w + b for k, (w, b) in heads.items()}
logits = pred["pitch"]
logp = logits - logits.max(1, keepdims=True)
logp = logp - np.log(np.exp(logp).sum(1, keepdims=True))
pitch = -logp[np.arange(len(y)), y[:, 0].astype(int)].mean()
pressure = lambda t, p: ((t - p) ** 2 + 10 * np.maximum(-p, 0)).mean()
step = pressure(y[:, 1:2], pred["step"])
duration = pressure(y[:, 2:3], pred["duration"])
print("pitch_loss", repr(pitch)); print("step_loss", repr(step)); print("duration_loss", repr(duration))
print("loss (weights 1)", repr(pitch + step + duration))
print("loss (0.05, 1, 1)", repr(0.05 * pitch + step + duration))
print("first window step, duration", repr(pred["step"][0, 0]), repr(pred["duration"][0, 0]))
print("first window pitch logits[:3]", pred["pitch"][0, :3].tolist())
