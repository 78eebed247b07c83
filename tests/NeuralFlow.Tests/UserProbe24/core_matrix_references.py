# Reference values for CoreMatrixTests: the Core APIs SVD guide (core/matrix_core.ipynb) on fixed data. A [40, 30]:
# value k is 0.5 + 0.5 sin(0.71 k^1.3 + 0.13); the "image" [24, 20, 3]: value k is 0.5 + 0.5 sin(0.05 k) cos(0.013 k^1.5).
import torch

torch.set_default_dtype(torch.float64)
k = torch.arange(1200.0)
A = (0.5 + 0.5 * torch.sin(0.71 * k ** 1.3 + 0.13)).reshape(40, 30).float().double()
U, s, Vh = torch.linalg.svd(A, full_matrices=False)
print("s[:3]", [f"{v:.5f}" for v in s[:3].tolist()])
for r in (15, 3, 10):
    A_r = (U[:, :r] * s[:r]) @ Vh[:r]
    print(f"rank {r}: |A - A_r|_F = {torch.linalg.norm(A - A_r).item():.6f}, size {U[:, :r].numel() + r + Vh[:r].numel()}")
print("sum s[10:]^2", f"{torch.sum(s[10:] ** 2).item():.6f}")

k = torch.arange(24 * 20 * 3.0)
I = (0.5 + 0.5 * torch.sin(0.05 * k) * torch.cos(0.013 * k ** 1.5)).reshape(24, 20, 3).float().double()
Ib = I.permute(2, 0, 1)
U, s, Vh = torch.linalg.svd(Ib, full_matrices=False)
props = torch.cumsum(s, -1) / torch.sum(s, -1, keepdim=True)
mean = props.mean(0)
r = int(torch.argmin(torch.abs(mean - 0.75))) + 1
print("energy r", r, "energy", f"{mean[r].item():.6f}")
I_r = torch.einsum('...s,...us,...vs->...uv', s[..., :r], U[..., :, :r], Vh.transpose(-1, -2)[..., :, :r]).permute(1, 2, 0)
print("image rank r error", f"{torch.linalg.norm(I - I_r).item():.6f}")
