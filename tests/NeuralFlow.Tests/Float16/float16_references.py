"""Reference values for Float16Tests.cs (run with /usr/bin/python3: numpy, torch 1.13).

Prints each case as float16 bit patterns (hex) so the C# tests compare exactly.
"""
import numpy as np
import torch


def bits(a):
    return ", ".join("0x%04X" % v for v in np.asarray(a, dtype=np.float16).view(np.uint16).ravel())


specials = [0.0, -0.0, 1.0, 65504.0, 65519.99, 65520.0, 1e5, -1e5, 6e-8, 2.0**-25, 1.5 * 2.0**-25, 0.1, 1 / 3,
            float("nan"), float("inf"), float("-inf"), 1 + 2.0**-11, 1 + 3 * 2.0**-11, 1 + 2.0**-11 + 2.0**-40, 2.0**-14 - 2.0**-25]
with np.errstate(over="ignore"):
    print("float64 -> float16:", bits(np.array(specials, np.float64).astype(np.float16)))
    print("float32 -> float16:", bits(np.array(specials, np.float32).astype(np.float16)))
ints = [0, 1, -1, 2049, 2051, 65504, 65519, 65520, 100000, -100000]
with np.errstate(over="ignore"):
    print("int32 -> float16:", bits(np.array(ints, np.int32).astype(np.float16)))
    print("int64 -> float16:", bits(np.array(ints, np.int64).astype(np.float16)))
print("uint8 -> float16:", bits(np.array([0, 7, 255], np.uint8).astype(np.float16)))
print("bool -> float16:", bits(np.array([True, False], np.bool_).astype(np.float16)))
h = np.array([1.5, -1.5, 2.5, -2.7, 65504, -65504, 0.0999], np.float16)
print("float16 -> int32:", h.astype(np.int32).tolist(), " -> int64:", h.astype(np.int64).tolist())
print("float16 -> float64:", [float(v) for v in h.astype(np.float64)])
print("float16 [0, -0, 0.5, nan] -> bool:", np.array([0, -0.0, 0.5, np.nan], np.float16).astype(bool).tolist())
print("float16 [3.7, 200.5, 255] -> uint8:", np.array([3.7, 200.5, 255], np.float16).astype(np.uint8).tolist())

rng = np.random.default_rng(7)
a = rng.uniform(-4, 4, 12).astype(np.float16)
b = rng.uniform(0.5, 4, 12).astype(np.float16)
print("a:", bits(a))
print("b:", bits(b))
print("a + b:", bits(a + b))
print("a * b:", bits(a * b))
print("a / b:", bits(a / b))
print("exp(a):", bits(np.exp(a)))
# torch's CPU half reductions and matmul accumulate in float32 and round once.
ta, tb = torch.tensor(a), torch.tensor(b)
print("sum(a):", bits(ta.sum().numpy()), " float64 sum rounded:", bits(np.float16(a.astype(np.float64).sum())))
print("mean(a):", bits(ta.mean().numpy()), " float64 mean rounded:", bits(np.float16(a.astype(np.float64).mean())))
print("sum(a.reshape(3,4), axis=1):", bits(ta.reshape(3, 4).sum(1).numpy()))
A, B = a.reshape(3, 4), b.reshape(4, 3)
print("A @ B:", bits(torch.tensor(A).float().matmul(torch.tensor(B).float()).half().numpy()),
      " float64 rounded:", bits((A.astype(np.float64) @ B.astype(np.float64)).astype(np.float16)))
# a float16 sum whose float16-accumulated value differs: 2048 + 1 + 1 + 1 + 1 (float16 alone would stay at 2048)
print("sum([2048, 1, 1, 1, 1]) float16 accumulation (numpy):", np.array([2048, 1, 1, 1, 1], np.float16).cumsum()[-1],
      " torch:", torch.tensor([2048, 1, 1, 1, 1], dtype=torch.float16).sum().item())
print("promote f16,f32:", torch.promote_types(torch.float16, torch.float32), " f16,f64:", torch.promote_types(torch.float16, torch.float64),
      " f16,i64:", torch.promote_types(torch.float16, torch.int64), " f16,i32:", torch.promote_types(torch.float16, torch.int32))
print("repr:", repr(np.array([0.1, 1.5, -2], np.float16)), repr(np.float16(1 / 3)), repr(np.float32(1 / 3)))
print("half(2.5) * 3 in torch:", (torch.tensor([2.5]).half() * 3).dtype, " half + 0.1:", bits((torch.tensor([1.0]).half() + 0.1).numpy()))
