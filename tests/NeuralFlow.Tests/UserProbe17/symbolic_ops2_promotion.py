"""Keras 3's result_type (keras/src/backend/common/dtypes.py) on NeuralFlow's dtypes, for
SymbolicOps2PromotionTests. The lattice below is Keras' (adapted by Keras from JAX): each dtype
with the dtypes just above it; "int" and "float" are the weak types of Python numbers. The least
upper bound of a set is the one common upper bound below all the others. A weak result resolves
to int32 / float32 (floatx); 64-bit results are kept, as Keras' TensorFlow backend keeps them.
Run: /usr/bin/python3 symbolic_ops2_promotion.py"""

ABOVE = {
    "bool": ["int"], "int": ["uint8", "int8"], "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"], "uint64": ["float"], "int8": ["int16"], "int16": ["int32"],
    "int32": ["int64"], "int64": ["float"], "float": ["bfloat16", "float16"], "bfloat16": ["float32"],
    "float16": ["float32"], "float32": ["float64"], "float64": [],
}


def upper(t):
    seen, todo = {t}, [t]
    while todo:
        for u in ABOVE[todo.pop()]:
            if u not in seen:
                seen.add(u)
                todo.append(u)
    return seen


def result_type(*types):
    weak = {"int", "float"}
    common = set.intersection(*(upper(t) for t in types))
    least = [c for c in common if common <= upper(c)]
    assert len(least) == 1, (types, least)
    out = least[0]
    if out in weak:
        out = {"int": "int32", "float": "float32"}[out]
    return out


NF = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
print("tensor pairs")
for i, a in enumerate(NF):
    for b in NF[i:]:
        print(f"{a} {b} -> {result_type(a, b)}")
print("tensor with a Python int / float")
for a in NF:
    print(f"{a} int -> {result_type(a, 'int')}   {a} float -> {result_type(a, 'float')}")
