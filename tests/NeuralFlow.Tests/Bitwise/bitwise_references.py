# Reference values for BitwiseTests.cs: NumPy's bitwise ufuncs (run with /usr/bin/python3,
# NumPy 1.24 on x86-64). Each line is "name: values" in the order the tests list them.
import numpy as np

def show(name, arr):
    arr = np.asarray(arr)
    print(f"{name} [{arr.dtype}]: " + ", ".join(str(int(v)) if arr.dtype != bool else str(bool(v)).lower() for v in arr.ravel()))

a32 = np.array([12, -7, 0, 2147483647, -2147483648, 5], dtype=np.int32)
b32 = np.array([10, 3, -1, -2, 1, -6], dtype=np.int32)
a64 = np.array([12, -7, 0, 9223372036854775807, -9223372036854775808, 1 << 40], dtype=np.int64)
b64 = np.array([10, 3, -1, -2, 1, (1 << 40) + 5], dtype=np.int64)
a8 = np.array([12, 200, 0, 255, 128, 5], dtype=np.uint8)
b8 = np.array([10, 3, 255, 254, 1, 250], dtype=np.uint8)
ab = np.array([True, True, False, False])
bb = np.array([True, False, True, False])
for tag, a, b in [("int32", a32, b32), ("int64", a64, b64), ("uint8", a8, b8), ("bool", ab, bb)]:
    show(f"and {tag}", np.bitwise_and(a, b))
    show(f"or {tag}", np.bitwise_or(a, b))
    show(f"xor {tag}", np.bitwise_xor(a, b))
    show(f"not {tag}", np.invert(a))

# Broadcasting [2, 3] with [3], and a scalar.
m = np.array([[1, 2, 3], [-4, -5, -6]], dtype=np.int32)
r = np.array([6, 5, -1], dtype=np.int32)
show("and bcast", m & r)
show("xor scalar 5", m ^ 5)
# A transposed view: m.T is [3, 2].
show("or transposed", m.T | np.array([[8], [16], [32]], dtype=np.int32))

# Shifts: counts 0..width-1 plus the edge counts (>= width, negative).
x32 = np.array([1, -5, 7, -1, 2147483647, -2147483648], dtype=np.int32)
for s in [0, 1, 4, 31, 32, 33, 100, -1, -3]:
    show(f"lshift int32 {s}", np.left_shift(x32, np.int32(s)))
    show(f"rshift int32 {s}", np.right_shift(x32, np.int32(s)))
x64 = np.array([1, -5, 7, -1, 9223372036854775807, -9223372036854775808], dtype=np.int64)
for s in [0, 1, 33, 63, 64, 65, -1]:
    show(f"lshift int64 {s}", np.left_shift(x64, np.int64(s)))
    show(f"rshift int64 {s}", np.right_shift(x64, np.int64(s)))
x8 = np.array([1, 200, 7, 255, 128, 0], dtype=np.uint8)
for s in [0, 1, 4, 7, 8, 9, 255]:
    show(f"lshift uint8 {s}", np.left_shift(x8, np.uint8(s)))
    show(f"rshift uint8 {s}", np.right_shift(x8, np.uint8(s)))
# Elementwise counts.
show("lshift counts", np.left_shift(np.array([3, 3, 3, -3, -3], np.int32), np.array([0, 2, 30, 2, 31], np.int32)))
show("rshift counts", np.right_shift(np.array([-100, 100, -100, 100, -1], np.int32), np.array([1, 3, 6, 40, 31], np.int32)))
# Promotion as keras.ops (result_type): uint8 & int32 -> int32, bool ^ int32 -> int32.
show("and uint8 int32", np.bitwise_and(np.array([255, 15], np.uint8), np.array([-16, 12], np.int32)))
show("xor bool int32", np.bitwise_xor(np.array([True, False]), np.array([6, 6], np.int32)))
