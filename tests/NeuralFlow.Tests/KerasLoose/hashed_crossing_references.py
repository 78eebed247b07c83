"""Reference bins for HashedCrossingTests.cs (run with /usr/bin/python3, no TensorFlow needed).

keras.layers.HashedCrossing calls tf.sparse.cross_hashed(inputs, num_bins), whose kernel
(tensorflow/core/kernels/sparse_cross_op.cc, HashCrosser) starts from the hash key 0xDECAFCAFFE
(sparse_ops._DEFAULT_HASH_KEY), folds each feature in input order with FingerprintCat64
(tensorflow/core/platform/fingerprint.h), and takes the result mod num_bins. A string feature
contributes FarmHash's Fingerprint64 of its UTF-8 bytes, an integer feature its own int64 value.
This script writes that rule out (Fingerprint64 only for strings of up to 16 bytes) and checks it
against the bins the Keras docstring prints, [1, 4, 1, 1, 3].
"""
M = (1 << 64) - 1
K0, K2 = 0xc3a5c85c97cb3127, 0x9ae16a3b2f90404f
HASH_KEY = 0xDECAFCAFFE


def shift_mix(v):
    return v ^ (v >> 47)


def hash_len16(u, v, mul):
    a = ((u ^ v) * mul) & M
    a ^= a >> 47
    b = ((v ^ a) * mul) & M
    b ^= b >> 47
    return (b * mul) & M


def rot(v, s):
    return ((v >> s) | (v << (64 - s))) & M


def fingerprint64(text):
    s = text.encode("utf-8")
    n = len(s)
    assert n <= 16, "this script covers strings of up to 16 bytes"
    f64 = lambda at: int.from_bytes(s[at:at + 8], "little")
    f32 = lambda at: int.from_bytes(s[at:at + 4], "little")
    if n >= 8:
        mul = K2 + n * 2
        a = (f64(0) + K2) & M
        b = f64(n - 8)
        c = (rot(b, 37) * mul + a) & M
        d = ((rot(a, 25) + b) * mul) & M
        return hash_len16(c, d, mul)
    if n >= 4:
        mul = K2 + n * 2
        return hash_len16((n + (f32(0) << 3)) & M, f32(n - 4), mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (shift_mix(((y * K2) & M) ^ ((z * K0) & M)) * K2) & M
    return K2


def fingerprint_cat64(fp1, fp2):
    mul = 0xc6a4a7935bd1e995
    r = fp1 ^ mul
    r ^= (shift_mix((fp2 * mul) & M) * mul) & M
    r = (r * mul) & M
    r = (shift_mix(r) * mul) & M
    return shift_mix(r)


def cross(features, num_bins):
    out = []
    for row in zip(*features):
        h = HASH_KEY
        for v in row:
            h = fingerprint_cat64(h, fingerprint64(v) if isinstance(v, str) else v & M)
        out.append(h % num_bins)
    return out


doc = cross([["A", "B", "A", "B", "A"], [101, 101, 101, 102, 102]], 5)
assert doc == [1, 4, 1, 1, 3], doc  # keras/src/layers/preprocessing/hashed_crossing.py docstring
print("docstring", doc)
print("three_features", cross([["cat", "dog", "", "Zürich"], [-1, 0, 7, 123456789012], ["x", "yy", "zzzz", "electronics"]], 1000))
print("ints", cross([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]], 17))
print("ints_swapped", cross([[9, 2, 6, 5, 3], [3, 1, 4, 1, 5]], 17))
