"""Reference values for GuideRandomNumbersTests (TensorFlow's random_numbers guide in C#).

NeuralFlow's generators draw the documented Philox4x32-10 numbers (native/include/neuralflow.h),
the same formula as tests/tools/philox_reference.py, written out again here; the key each generator
uses is derived as documented in NF.Random.Generator.cs / NF.Random.Stateless.cs (SplitMix64 of the
seed mixed with a constant of its own). Element i of a draw at counter offset o uses counter o + i.
Run with /usr/bin/python3 (standard library only).
"""
import math
import struct

M = 0xFFFFFFFFFFFFFFFF


def philox(c, k):
    c, k = list(c), list(k)
    for r in range(10):
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k[0]) & 0xFFFFFFFF, p1 & 0xFFFFFFFF, ((p0 >> 32) ^ c[3] ^ k[1]) & 0xFFFFFFFF, p0 & 0xFFFFFFFF]
        if r < 9:
            k = [(k[0] + 0x9E3779B9) & 0xFFFFFFFF, (k[1] + 0xBB67AE85) & 0xFFFFFFFF]
    return c


def f32(x):
    return struct.unpack('f', struct.pack('f', x))[0]


def normal(key, offset, count):
    out = []
    for i in range(count):
        g = offset + i
        w = philox((g & 0xFFFFFFFF, g >> 32, 0, 0), (key & 0xFFFFFFFF, key >> 32))
        u1 = ((w[0] >> 8) + 1) * 2 ** -24
        u2 = (w[1] >> 8) * 2 ** -24
        out.append(f32(math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)))
    return out


def uniform(key, offset, count, lo=0.0, hi=1.0):
    out = []
    for i in range(count):
        g = offset + i
        w = philox((g & 0xFFFFFFFF, g >> 32, 0, 0), (key & 0xFFFFFFFF, key >> 32))
        out.append(f32(lo + (hi - lo) * (w[0] >> 8) * 2 ** -24))
    return out


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def from_seed(seed):
    return splitmix64((seed & M) ^ 0x6E4E7A706E4E7A70)


def split_child(key, at):
    return splitmix64(key ^ splitmix64(at ^ 0x5B1175B117))


def stateless(a, b):
    return splitmix64(splitmix64((a & M) ^ 0x57A7E1E557A7E1E5) ^ (b & M))


k1 = from_seed(1)
print("from_seed(1).normal([2, 3]):", ['%.9g' % v for v in normal(k1, 0, 6)])
print("from_seed(1).normal([]) twice:", ['%.9g' % v for v in normal(k1, 0, 2)])
print("from_seed(1): normal([]), split(3), each child's normal([]), then the parent's normal([]):",
      ['%.9g' % v for v in normal(k1, 0, 1)],
      ['%.9g' % normal(split_child(k1, at), 0, 1)[0] for at in (1, 2, 3)],
      ['%.9g' % v for v in normal(k1, 4, 1)])
print("from_seed(1).uniform([4], 0, 10):", ['%.9g' % v for v in uniform(k1, 0, 4, 0.0, 10.0)])
ks = stateless(1, 2)
print("stateless_normal([2, 3], seed=(1, 2)):", ['%.9g' % v for v in normal(ks, 0, 6)])
print("stateless_uniform([3], seed=(1, 2)):", ['%.9g' % v for v in uniform(ks, 0, 3)])


def op_seeded(global_seed, op_seed):
    return splitmix64(splitmix64((global_seed & 0xFFFFFFFF) ^ 0x0B5EED0B5EED) ^ (op_seed & 0xFFFFFFFF))


ko = op_seeded(1, 22)
print("set_seed(1); uniform([3], seed=22) twice:", ['%.9g' % v for v in uniform(ko, 0, 3)], ['%.9g' % v for v in uniform(ko, 3, 3)])
print("no set_seed (default 87654321); uniform([3], seed=22):", ['%.9g' % v for v in uniform(op_seeded(87654321, 22), 0, 3)])
