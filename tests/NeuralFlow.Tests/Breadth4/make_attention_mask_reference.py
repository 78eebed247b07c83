# Reference outputs of ImplicitAttentionMaskTests: Keras 3's attention formulas
# (multi_head_attention.py _compute_attention_mask / _masked_softmax, attention.py
# _calculate_score_mask / _apply_scores) written with PyTorch 1.13 ops in float32, on inputs whose
# padded steps are zero (as Masking(0.0) leaves them). Run: /usr/bin/python3 make_attention_mask_reference.py
import math
import torch

def vals(shape, seed):
    n = math.prod(shape)
    return torch.tensor([round(0.5 * math.sin(0.37 * i + seed), 6) for i in range(n)], dtype=torch.float32).reshape(shape)

def padded(shape, seed, lengths):
    x = vals(shape, seed)
    mask = torch.tensor([[t < l for t in range(shape[1])] for l in lengths])
    return x * mask[..., None], mask

def mha(q, v, k, mask):
    wq, bq, wk, bk = vals([5, 2, 3], 4), vals([2, 3], 5), vals([5, 2, 3], 6), vals([2, 3], 7)
    wv, bv, wo, bo = vals([5, 2, 4], 8), vals([2, 4], 9), vals([2, 4, 5], 10), vals([5], 11)
    Q = (torch.einsum("abc,cde->abde", q, wq) + bq) * (1 / math.sqrt(3))
    K = torch.einsum("abc,cde->abde", k, wk) + bk
    V = torch.einsum("abc,cde->abde", v, wv) + bv
    s = torch.einsum("aecd,abcd->acbe", K, Q)
    s = torch.where(mask[:, None], s, torch.tensor(-1e9))
    p = torch.softmax(s, -1)
    return torch.einsum("abcd,cde->abe", torch.einsum("acbe,aecd->abcd", p, V), wo) + bo

def attention(q, v, scores, qm, vm):
    s = torch.where(vm[:, None, :], scores, scores - 1e9)
    return torch.softmax(s, -1) @ v * qm[..., None]

x, m = padded([2, 4, 5], 1, [3, 2])
kx, km = padded([2, 4, 5], 3, [4, 1])
qx = vals([2, 3, 5], 2)
causal = torch.tril(torch.ones(4, 4, dtype=torch.bool))
out = {
    "MhaSelf": mha(x, x, x, m[:, :, None] & m[:, None, :]),
    "MhaCausal": mha(x, x, x, m[:, :, None] & m[:, None, :] & causal),
    "MhaKeyMask": mha(qx, x, kx, (m & km)[:, None, :].expand(2, 3, 4)),
    "AttentionSelf": attention(x, x, x @ x.transpose(1, 2), m, m),
    "AdditiveSelf": attention(x, x, (vals([5], 12) * torch.tanh(x[:, :, None] + x[:, None])).sum(-1), m, m),
}
for name, t in out.items():
    print(f"    private static readonly double[] {name} = [{', '.join(f'{v:.7g}' for v in t.flatten().tolist())}];")
