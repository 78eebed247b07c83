# Reference numbers for Probe31TextGeneration*Tests (TensorFlow's "Text generation with an RNN" tutorial, small text).
# The text, vocabulary, windows and weights follow the formulas the tests write; the GRU is Keras' (reset_after=True,
# gate blocks z, r, h; bias[0] the input bias, bias[1] the recurrent one), written out in NumPy float64.
# Run: /usr/bin/python3 text_generation_references.py
import numpy as np
text = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
        "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. resolved.\n\n"
        "First Citizen:\nFirst, you know Caius Marcius is chief enemy to the people.\n")
vocab = sorted(set(text))
ids_of = {c: i + 1 for i, c in enumerate(vocab)}           # StringLookup(mask_token=None): [UNK] is 0
all_ids = np.array([ids_of[c] for c in text])
print("ids of abcdefg, xyz", [ids_of.get(c, 0) for c in "abcdefg"], [ids_of.get(c, 0) for c in "xyz"], "F", ids_of["F"])
V, E, U, seq_length, batch = len(vocab) + 1, 8, 16, 10, 4
print("len(text)", len(text), "vocab", len(vocab), "V", V, "sequences", len(text) // (seq_length + 1))

def sine(shape, index, scale):
    k = np.arange(int(np.prod(shape)))
    return (scale * np.sin(0.37 * k + 1.1 * index)).reshape(shape)

emb = sine((V, E), 0, 0.5)
kernel, recurrent, bias = sine((E, 3 * U), 1, 0.3), sine((U, 3 * U), 2, 0.3), sine((2, 3 * U), 3, 0.1)
dense_w, dense_b = sine((U, V), 4, 0.4), sine((V,), 5, 0.05)
sigmoid = lambda z: 1 / (1 + np.exp(-z))

def run(ids, h=None):
    x = emb[ids]
    if h is None: h = np.zeros((ids.shape[0], U))
    outs = []
    for t in range(ids.shape[1]):
        xm = x[:, t] @ kernel + bias[0]
        hm = h @ recurrent + bias[1]
        z = sigmoid(xm[:, :U] + hm[:, :U]); r = sigmoid(xm[:, U:2 * U] + hm[:, U:2 * U])
        hh = np.tanh(xm[:, 2 * U:] + r * hm[:, 2 * U:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1) @ dense_w + dense_b, h

seqs = all_ids[: (len(all_ids) // (seq_length + 1)) * (seq_length + 1)].reshape(-1, seq_length + 1)
inp, tgt = seqs[:batch, :-1], seqs[:batch, 1:]
logits, h = run(inp)
logp = logits - logits.max(-1, keepdims=True)
logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
loss = -np.take_along_axis(logp, tgt[..., None], -1).mean()
print("mean loss", repr(loss), "log(V)", repr(np.log(V)))
print("logits[0, 0, :4]", logits[0, 0, :4].tolist())
print("logits[3, 9, -3:]", logits[3, 9, -3:].tolist())
print("final state[1, :3]", h[1, :3].tolist())
