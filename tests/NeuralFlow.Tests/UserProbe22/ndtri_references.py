# Reference values for NdtriTests.cs: torch.special.ndtri (Cephes' ndtri) and its gradient in PyTorch 1.13.
# Run with /usr/bin/python3.
import torch

p64 = torch.tensor([1e-300, 1e-20, 1e-10, 0.001, 0.025, 0.1, 0.135, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-12,
                    0.0, 1.0, -0.5, 1.5, float('nan')], dtype=torch.float64, requires_grad=True)
y64 = torch.special.ndtri(p64)
y64.sum().backward()
print('float64 values', [repr(v) for v in y64.tolist()])
print('float64 grads ', [repr(v) for v in p64.grad.tolist()])

p32 = torch.tensor([1e-30, 1e-6, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999999], dtype=torch.float32, requires_grad=True)
y32 = torch.special.ndtri(p32)
(y32 * torch.arange(1, 9, dtype=torch.float32)).sum().backward()
print('float32 values', [repr(v) for v in y32.tolist()])
print('float32 grads ', [repr(v) for v in p32.grad.tolist()])
