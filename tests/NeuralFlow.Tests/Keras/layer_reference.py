# Reference numbers for the tests in this folder: Keras 3's MultiHeadAttention / Attention /
# AdditiveAttention formulas written with torch ops (no Keras here; torch.nn.MultiheadAttention
# has another weight layout, so the Keras formula is computed directly). float64 throughout.
# Values are vals(n, seed) = round(0.5 * sin(0.37 * i + seed), 6), as ReferenceValues.Vals.
import math, torch
torch.set_default_dtype(torch.float64)

def vals(shape, seed):
    n = math.prod(shape)
    return torch.tensor([round(0.5 * math.sin(0.37 * i + seed), 6) for i in range(n)]).reshape(shape)

def cs(name, t):
    print(f"    internal static readonly double[] {name} = [{', '.join(f'{v:.9g}' for v in t.flatten().tolist())}];")

B, Tq, Tv, Dq, Dv, Dk, N, H, Hv = 2, 3, 4, 5, 6, 7, 2, 3, 4
q, v, k = vals([B, Tq, Dq], 1), vals([B, Tv, Dv], 2), vals([B, Tv, Dk], 3)
Wq, bq = vals([Dq, N, H], 4), vals([N, H], 5)
Wk, bk = vals([Dk, N, H], 6), vals([N, H], 7)
Wv, bv = vals([Dv, N, Hv], 8), vals([N, Hv], 9)
Wo, bo = vals([N, Hv, Dq], 10), vals([Dq], 11)
att_mask = torch.tensor([[[1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 0, 0]], [[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 1, 1]]], dtype=torch.bool)
value_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=torch.bool)
causal = torch.tril(torch.ones(1, Tq, Tv)).bool()

def mha(q, v, k, Wq, mask=None):
    Q = torch.einsum("abc,cde->abde", q, Wq) + bq
    K = torch.einsum("abc,cde->abde", k, Wk) + bk
    V = torch.einsum("abc,cde->abde", v, Wv) + bv
    Q = Q * (1.0 / math.sqrt(H))
    s = torch.einsum("aecd,abcd->acbe", K, Q)
    if mask is not None:
        while mask.dim() < 4: mask = mask.unsqueeze(-3)
        s = torch.where(mask, s, torch.tensor(-1e9))
    p = torch.softmax(s, -1)
    o = torch.einsum("acbe,aecd->abcd", p, V)
    return torch.einsum("abcd,cde->abe", o, Wo) + bo, p

y, p = mha(q, v, k, Wq); cs("MhaOut", y); cs("MhaScores", p)
y, p = mha(q, v, k, Wq, att_mask); cs("MhaMaskedOut", y); cs("MhaMaskedScores", p)
y, p = mha(q, v, k, Wq, causal & value_mask.unsqueeze(-2)); cs("MhaCausalOut", y); cs("MhaCausalScores", p)
# Gradients of sum(y * w) (w = vals(y.shape, 12)) with the attention mask, by autograd.
qg, vg, kg, Wqg = (t.clone().requires_grad_() for t in (q, v, k, Wq))
y, _ = mha(qg, vg, kg, Wqg, att_mask)
(y * vals(list(y.shape), 12)).sum().backward()
cs("MhaGradQuery", qg.grad); cs("MhaGradValue", vg.grad); cs("MhaGradKey", kg.grad); cs("MhaGradQueryKernel", Wqg.grad)

# Attention (Luong) and AdditiveAttention on (B, Tq, D), (B, Tv, D), key (B, Tv, D).
D = 5
aq, av, ak = vals([B, Tq, D], 13), vals([B, Tv, D], 14), vals([B, Tv, D], 15)
query_mask = torch.tensor([[1, 0, 1], [1, 1, 0]], dtype=torch.bool)

def apply(scores, v, v_mask, causal_on, q_mask):
    mask = None
    if v_mask is not None: mask = v_mask.unsqueeze(-2)
    if causal_on: mask = causal if mask is None else mask & causal
    if mask is not None: scores = scores - 1e9 * (~mask).double()
    w = torch.softmax(scores, -1)
    y = w @ v
    if q_mask is not None: y = y * q_mask.unsqueeze(-1).double()
    return y, w

y, w = apply(0.7 * (aq @ ak.transpose(1, 2)), av, None, False, None); cs("DotOut", y); cs("DotScores", w)
y, w = apply(0.7 * (aq @ ak.transpose(1, 2)), av, value_mask, True, query_mask); cs("DotMaskedOut", y); cs("DotMaskedScores", w)
concat = 1.3 * torch.tanh(0.7 * (aq.unsqueeze(-2) + ak.unsqueeze(-3))).sum(-1)
y, w = apply(concat, av, value_mask, False, None); cs("ConcatOut", y)
scale = vals([D], 16)
additive = (scale * torch.tanh(aq.unsqueeze(-2) + ak.unsqueeze(-3))).sum(-1)
y, w = apply(additive, av, value_mask, False, query_mask); cs("AdditiveOut", y); cs("AdditiveScores", w)

# SeparableConv2D / SeparableConv1D (Keras layout: depthwise (kh, kw, C, M), pointwise (1, 1, C*M, F)):
# torch's grouped conv with weight[c*M + m, 0] = depthwise[..., c, m], then a 1x1 conv.
import torch.nn.functional as F
C, M, Fo = 3, 2, 4
x2 = vals([2, 5, 5, C], 17)
dw2, pw2, b2 = vals([3, 3, C, M], 18), vals([1, 1, C * M, Fo], 19), vals([Fo], 20)
def sep2d(x, dw, pw, b, stride, padding, dilation):
    xt = x.permute(0, 3, 1, 2)
    w = dw.permute(2, 3, 0, 1).reshape(C * M, 1, dw.shape[0], dw.shape[1])
    y = F.conv2d(xt, w, stride=stride, padding=padding, dilation=dilation, groups=C)
    y = F.conv2d(y, pw.permute(3, 2, 0, 1)) + b.reshape(1, -1, 1, 1)
    return y.permute(0, 2, 3, 1)
cs("Sep2DSame", sep2d(x2, dw2, pw2, b2, 1, "same", 1))
cs("Sep2DStrided", sep2d(x2, dw2, pw2, b2, 2, 0, 1))
x1 = vals([2, 7, C], 21)
dw1, pw1, b1 = vals([3, C, M], 22), vals([1, C * M, Fo], 23), vals([Fo], 24)
def sep1d(x, dw, pw, b, dilation):
    w = dw.permute(1, 2, 0).reshape(C * M, 1, dw.shape[0])
    y = F.conv1d(x.permute(0, 2, 1), w, padding="same", dilation=dilation, groups=C)
    y = F.conv1d(y, pw.permute(2, 1, 0)) + b.reshape(1, -1, 1)
    return y.permute(0, 2, 1)
cs("Sep1DSameDilated", sep1d(x1, dw1, pw1, b1, 2))
