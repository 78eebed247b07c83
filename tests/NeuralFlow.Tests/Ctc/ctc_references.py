"""Reference values for the CTC tests (CtcLossTests.cs, CtcDecodeTests.cs).

Run with /usr/bin/python3 (numpy and python3-torch 1.13). The logits come from a formula both
sides compute (Logits below and CtcCases.Logits in C#), so no random numbers cross languages.
Loss and gradient: torch.nn.functional.ctc_loss(log_softmax(logits), reduction='none'), which is
what Keras' torch backend runs. Decoding: greedy by the rule Keras' backends implement, beam
search by summing the probability of every path (exhaustive enumeration) for tiny T and C.
"""
import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F


def logits(batch, steps, classes, seed):
    i = np.arange(batch * steps * classes, dtype=np.float64)
    return (2.0 * np.sin(0.37 * i * i + 1.1 * i + seed)).reshape(batch, steps, classes)


def ctc(name, x, target, target_len, out_len, blank, weights):
    xt = torch.tensor(x, requires_grad=True)
    lp = F.log_softmax(xt.transpose(0, 1), dim=-1)
    loss = F.ctc_loss(lp, torch.tensor(target), torch.tensor(out_len), torch.tensor(target_len),
                      blank=blank, reduction='none', zero_infinity=False)
    (loss * torch.tensor(weights)).sum().backward()
    print(f"{name} loss:", ", ".join(repr(float(v)) for v in loss.detach()))
    print(f"{name} grad:", ", ".join(repr(float(v)) for v in xt.grad.flatten()))


# Case A: blank 0; labels with a repeat, an impossible one (4 repeats need 7 steps) and an empty one.
ctc("A", logits(4, 6, 5, 0.0),
    [[1, 2, 3, 0], [2, 2, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0]], [3, 2, 4, 0], [6, 4, 6, 5], 0,
    [1.0, 0.5, 2.0, 1.5])
# Case B: blank 3 (the last class, maskIndex -1); a short output with an impossible label.
ctc("B", logits(3, 5, 4, 1.0),
    [[0, 1, 1], [2, 0, 0], [1, 2, 0]], [3, 1, 3], [5, 3, 2], 3, [1.0, 2.0, 1.0])
# Keras' nn_test test_ctc_loss (its docstring-style values: [3.4411672, 1.91680186]).
ctc("K", np.array([[[0.4, 0.8, 0.4], [0.2, 0.8, 0.3], [0.9, 0.4, 0.5]],
                   [[0.4, 0.8, 0.4], [0.2, 0.3, 0.3], [0.4, 0.3, 0.2]]]),
    [[1, 2, 1], [1, 2, 2]], [3, 2], [3, 2], 0, [1.0, 1.0])


def greedy(x, lengths, blank, merge):
    out, scores = [], []
    for b in range(x.shape[0]):
        idx = [int(np.argmax(x[b, t])) for t in range(lengths[b])]
        scores.append(-sum(float(x[b, t, k]) for t, k in enumerate(idx)))
        labels = [k for t, k in enumerate(idx) if k != blank and not (merge and t > 0 and idx[t - 1] == k)]
        out.append(labels + [-1] * (x.shape[1] - len(labels)))
    return out, scores


def exhaustive(x, length, blank, top):
    """Every path's probability summed per collapsed labeling; the `top` best (log prob)."""
    lp = torch.log_softmax(torch.tensor(x[:length]), dim=-1).numpy()
    totals = {}
    for path in itertools.product(range(x.shape[1]), repeat=length):
        labels, prev = [], None
        for k in path:
            if k != blank and k != prev:
                labels.append(k)
            prev = k
        p = sum(lp[t, k] for t, k in enumerate(path))
        key = tuple(labels)
        totals[key] = np.logaddexp(totals.get(key, -math.inf), p)
    best = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
    return best


x = logits(2, 7, 4, 2.0)
for merge in (True, False):
    d, s = greedy(x, [7, 5], 0, merge)
    print(f"greedy merge={merge} decoded:", d, "scores:", [repr(v) for v in s])
d, s = greedy(x, [7, 5], 3, True)
print("greedy blank=3 decoded:", d, "scores:", [repr(v) for v in s])

xb = logits(2, 5, 3, 3.0)
for b, length in enumerate([5, 4]):
    for blank in (0, 2):
        print(f"exhaustive b={b} blank={blank}:", [(list(k), repr(float(v))) for k, v in exhaustive(xb[b], length, blank, 4)])


def prefix_beam_search(x, length, blank, width, top):
    """A narrow beam: the prefix beam search written out with dictionaries (pruned, so not exact)."""
    lp = torch.log_softmax(torch.tensor(x[:length]), dim=-1).numpy()
    beams = {(): (0.0, -math.inf)}  # prefix -> (log p ending in blank, log p ending in its last label)
    for t in range(length):
        nxt = {}

        def add(prefix, pb, pl):
            ob, ol = nxt.get(prefix, (-math.inf, -math.inf))
            nxt[prefix] = (np.logaddexp(ob, pb), np.logaddexp(ol, pl))

        for prefix, (pb, pl) in beams.items():
            total = np.logaddexp(pb, pl)
            for k in range(x.shape[1]):
                p = lp[t, k]
                if k == blank:
                    add(prefix, total + p, -math.inf)
                elif prefix and prefix[-1] == k:
                    add(prefix, -math.inf, pl + p)
                    add(prefix + (k,), -math.inf, pb + p)
                else:
                    add(prefix + (k,), -math.inf, total + p)
        beams = dict(sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:width])
    best = sorted(beams.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:top]
    return [(list(k), repr(float(np.logaddexp(*v)))) for k, v in best]


xn = logits(2, 8, 5, 4.0)
for b, length in enumerate([8, 6]):
    print(f"narrow beam width=3 b={b}:", prefix_beam_search(xn[b], length, 0, 3, 3))
