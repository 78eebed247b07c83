# Reference numbers for Probe31Transformer*Tests (TensorFlow's "Neural machine translation with a Transformer and Keras"
# tutorial at toy size). The tutorial's layers are written out in NumPy float64 in Keras' layouts: MultiHeadAttention's
# query/key/value kernels (d_model, heads, key_dim) with biases (heads, key_dim), output kernel (heads, key_dim, d_model);
# the query scaled by 1/sqrt(key_dim); the query mask, the value (= key) padding mask and the causal mask combined by
# logical and, a masked score set to -1e9 before the softmax (a fully masked query row is then uniform, as Keras');
# LayerNormalization with Keras' epsilon 1e-3. Weights follow sine() in the order the test fills them.
# Run: /usr/bin/python3 transformer_references.py
import numpy as np

num_layers, d_model, num_heads, dff, vocab = 2, 8, 2, 16, 20
B, Lc, Lt = 3, 7, 8

def positional_encoding(length, depth):
    depth = depth / 2
    positions = np.arange(length)[:, np.newaxis]
    depths = np.arange(depth)[np.newaxis, :] / depth
    angle_rads = positions * (1 / (10000 ** depths))
    return np.concatenate([np.sin(angle_rads), np.cos(angle_rads)], axis=-1)

def sine(shape, index, scale=0.3):
    k = np.arange(int(np.prod(shape)))
    return (scale * np.sin(0.37 * k + 1.1 * index)).reshape(shape)

counter = [0]
def take(*shapes):
    out = []
    for s in shapes:
        out.append(sine(s, counter[0])); counter[0] += 1
    return out

def mha_weights():
    return take((d_model, num_heads, d_model), (num_heads, d_model), (d_model, num_heads, d_model), (num_heads, d_model),
                (d_model, num_heads, d_model), (num_heads, d_model), (num_heads, d_model, d_model), (d_model,))
ln_weights = lambda: take((d_model,), (d_model,))
ffn_weights = lambda: take((d_model, dff), (dff,), (dff, d_model), (d_model,)) + ln_weights()

enc = {"emb": take((vocab, d_model))[0], "layers": [(mha_weights() + ln_weights(), ffn_weights()) for _ in range(num_layers)]}
dec = {"emb": take((vocab, d_model))[0], "layers": [(mha_weights() + ln_weights(), mha_weights() + ln_weights(), ffn_weights()) for _ in range(num_layers)]}
final = take((d_model, vocab), (vocab,))

pe = positional_encoding(2048, d_model)
def pos_embedding(tokens, emb):
    return emb[tokens] * np.sqrt(d_model) + pe[np.newaxis, :tokens.shape[1], :], tokens != 0

def layer_norm(x, g, b):
    mu = x.mean(-1, keepdims=True); var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-3) * g + b

def mha(w, query, value, qmask, vmask, causal):
    qk, qb, kk, kb, vk, vb, ok, ob = w
    q = (np.einsum("btd,dnh->btnh", query, qk) + qb) / np.sqrt(d_model)
    k = np.einsum("bsd,dnh->bsnh", value, kk) + kb
    v = np.einsum("bsd,dnh->bsnh", value, vk) + vb
    scores = np.einsum("btnh,bsnh->bnts", q, k)
    mask = qmask[:, :, None] & vmask[:, None, :]
    if causal:
        mask = mask & np.tril(np.ones((query.shape[1], value.shape[1]), bool))[None]
    scores = np.where(mask[:, None], scores, -1e9)
    p = np.exp(scores - scores.max(-1, keepdims=True)); p /= p.sum(-1, keepdims=True)
    heads = np.einsum("bnts,bsnh->btnh", p, v)
    return np.einsum("btnh,nhd->btd", heads, ok) + ob, p

def attention_block(w, x, ctx, xmask, cmask, causal):
    out, p = mha(w[:8], x, ctx, xmask, cmask, causal)
    return layer_norm(x + out, *w[8:]), p

def ffn(w, x):
    h = np.maximum(x @ w[0] + w[1], 0) @ w[2] + w[3]
    return layer_norm(x + h, w[4], w[5])

def transformer(context, x):
    c, cmask = pos_embedding(context, enc["emb"])
    for att, ff in enc["layers"]:
        c, _ = attention_block(att, c, c, cmask, cmask, False)
        c = ffn(ff, c)
    y, ymask = pos_embedding(x, dec["emb"])
    for causal, cross, ff in dec["layers"]:
        y, _ = attention_block(causal, y, y, ymask, ymask, True)
        y, scores = attention_block(cross, y, c, ymask, cmask, False)
        y = ffn(ff, y)
    return y @ final[0] + final[1], scores

lens_c, lens_t = [7, 5, 3], [8, 6, 4]
context = np.array([[1 + (3 * b + 5 * t) % 19 if t < lens_c[b] else 0 for t in range(Lc)] for b in range(B)])
x = np.array([[1 + (7 * b + 4 * t + 2) % 19 if t < lens_t[b] else 0 for t in range(Lt)] for b in range(B)])
labels = np.array([[1 + (5 * b + 3 * t + 1) % 19 if t < lens_t[b] else 0 for t in range(Lt)] for b in range(B)])
logits, scores = transformer(context, x)
np.set_printoptions(precision=10, suppress=False)
print("context", context.tolist()); print("x", x.tolist()); print("labels", labels.tolist())
print("pos_encoding[3] (length 2048, depth 8)", positional_encoding(2048, 8)[3].tolist())
print("pos_encoding[1000, :4]", positional_encoding(2048, 8)[1000, :4].tolist())
print("logits[0, 0]", logits[0, 0].tolist())
print("logits[1, 5]", logits[1, 5].tolist())
print("logits[2, 7] (padded query)", logits[2, 7].tolist())
print("logits sum", repr(logits.sum()), "abs sum", repr(np.abs(logits).sum()))
print("cross scores[1, 1, 2]", scores[1, 1, 2].tolist())

logp = logits - logits.max(-1, keepdims=True); logp -= np.log(np.exp(logp).sum(-1, keepdims=True))
ce = -np.take_along_axis(logp, labels[..., None], -1)[..., 0]
mask = labels != 0
print("masked_loss", repr((ce * mask).sum() / mask.sum()))
pred = logits.argmax(-1)
print("masked_accuracy", repr(((pred == labels) & mask).sum() / mask.sum()), "pred", pred.tolist())

# CustomSchedule(d_model=8): rsqrt(d_model) * min(rsqrt(step), step * warmup**-1.5)
for warm in (4000,):
    for step in (1, 100, 4000, 10000):
        print("schedule", warm, step, repr(d_model ** -0.5 * min(step ** -0.5, step * warm ** -1.5)))

# Translator: greedy decoding of context row 0, [START]=3, [END]=1, max_length 6
start, end, max_length = 3, 1, 6
out = [start]
for i in range(max_length):
    lg, _ = transformer(context[:1], np.array([out]))
    nxt = int(lg[0, -1].argmax()); out.append(nxt)
    if nxt == end: break
print("greedy", out)
_, sc = transformer(context[:1], np.array([out[:-1]]))
print("greedy attention shape", sc.shape, "scores[0, 0, -1]", sc[0, 0, -1].tolist())
