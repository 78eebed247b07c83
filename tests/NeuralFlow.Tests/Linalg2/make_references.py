# Reference values for the Linalg2 tests: /usr/bin/python3 make_references.py (torch 1.13, numpy, float64).
import numpy as np, torch
torch.set_printoptions(precision=17)
def show(name, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    print(name, a.shape, "[" + ", ".join(repr(float(v)) for v in a.ravel()) + "]")
A = torch.tensor([[4., -2., 1.], [3., 6., -4.], [2., 1., 8.], [1., -1., 2.]], dtype=torch.float64)  # 4 x 3
W = A.T.contiguous()                                                                              # 3 x 4
S = torch.tensor([[4., 1., -2.], [1., 3., 0.5], [-2., 0.5, 5.]], dtype=torch.float64)
q, r = torch.linalg.qr(A); show("qr(A).Q", q); show("qr(A).R", r)
q, r = torch.linalg.qr(A, mode="complete"); show("qr(A,complete).Q", q); show("qr(A,complete).R", r)
q, r = torch.linalg.qr(W); show("qr(W).Q", q); show("qr(W).R", r)
show("svdvals(A)", torch.linalg.svdvals(A)); show("svdvals(W)", torch.linalg.svdvals(W))
u, s, vh = torch.linalg.svd(A, full_matrices=False); show("svd(A).|U|", u.abs()); show("svd(A).|Vh|", vh.abs())
l, v = torch.linalg.eigh(S); show("eigh(S).L", l); show("eigh(S).|V|", v.abs())
for o in ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")]:
    show(f"matrix_norm(A,{o})", torch.linalg.matrix_norm(A, ord=o))
x = torch.tensor([3., -4., 0., 1.5], dtype=torch.float64)
for o in [2, 1, 0, 3, 0.5, -1, float("inf"), float("-inf")]:
    show(f"vector_norm(x,{o})", torch.linalg.vector_norm(x, ord=o))
show("pinv(A)", torch.linalg.pinv(A))
b = torch.tensor([[1., 2.], [0., -1.], [3., 1.], [2., 2.]], dtype=torch.float64)
show("lstsq(A,b)", np.linalg.lstsq(A.numpy(), b.numpy(), rcond=None)[0])
show("lstsq(W,b[:3])", np.linalg.lstsq(W.numpy(), b[:3].numpy(), rcond=None)[0])
R = torch.tensor([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]], dtype=torch.float64)
print("matrix_rank(R)", int(torch.linalg.matrix_rank(R)), "matrix_rank(A)", int(torch.linalg.matrix_rank(A)))
show("matrix_power(S,3)", torch.linalg.matrix_power(S, 3)); show("matrix_power(S,-2)", torch.linalg.matrix_power(S, -2))
show("matrix_exp(S/4)", torch.linalg.matrix_exp(S / 4))
N = torch.tensor([[2., 1., 0.], [1., 3., 1.], [0., 1., 4.]], dtype=torch.float64) + torch.tensor([[0., 0.5, 0.], [0., 0., 0.], [0.25, 0., 0.]], dtype=torch.float64)
ev, evec = torch.linalg.eig(N); show("eig(N).L.real", ev.real); show("eig(N).L.imag", ev.imag); show("eig(N).|V|", evec.real.abs())
lu, piv = torch.linalg.lu_factor(S); show("lu_factor(S).LU", lu); show("lu_factor(S).pivots(1-based)", piv)
