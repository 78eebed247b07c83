# Reference values for the Strings2* tests (UserProbe27). No TensorFlow here:
#  - tf.strings.split "matches python's str.split", so bytes.split per element gives a rank-2 input's pieces;
#  - numpy.frombuffer / torch.frombuffer give tf.io.decode_raw's int8, int16, uint16 and bfloat16 values;
#  - protobuf's own encoder (python3-protobuf), fed TensorProto and TensorShapeProto built from TF's
#    tensor.proto / tensor_shape.proto / types.proto field numbers, gives tf.io.serialize_tensor's bytes
#    (TF fills dtype, tensor_shape and tensor_content, or string_val for strings; protobuf writes fields in number order).
# Run: /usr/bin/python3 strings2_references.py
import numpy as np
import torch
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# --- split of a [2, 2] string tensor: one more ragged axis
grid = [[b"a b", b"c"], [b"", b"d  e f"]]
pieces = [[s.split() for s in row] for row in grid]
inner = [0]
for row in pieces:
    for p in row:
        inner.append(inner[-1] + len(p))
print("split 2x2", pieces, "nested_row_splits", [[0, 2, 4], inner])
print("split 2x2 sep ','", [[s.split(b",") for s in row] for row in [[b"1,2", b""], [b",", b"3"]]])
print("unicode_decode 2x1", [[[ord(c) for c in s] for s in row] for row in [["hé"], ["日本語"]]])

# --- substr with per-element pos / len (TF's kernel: pos in [-size, size], a negative pos from the end,
# len clipped at the end, a negative len "as many characters as possible"); the inputs are tf.strings.substr's doc examples.
def substr(s, pos, ln):
    start = pos + len(s) if pos < 0 else pos
    assert 0 <= start <= len(s)
    return s[start:] if ln < 0 else s[start:start + ln]
words = [[b"ten", b"eleven", b"twelve"], [b"thirteen", b"fourteen", b"fifteen"], [b"sixteen", b"seventeen", b"eighteen"], [b"nineteen", b"twenty", b"twentyone"]]
print("substr broadcast [3] onto [4,3]", [[substr(w, p, l) for w, p, l in zip(row, [1, 2, 3], [1, 2, 3])] for row in words])
print("substr same shape", [[substr(w, p, l) for w, p, l in zip(row, pr, lr)] for row, pr, lr in zip(words[:3], [[1, 2, 3]] * 3, [[2, 3, 4], [4, 3, 2], [5, 5, 5]])])
print("substr scalar onto [3]", [substr(b"thirteen", p, l) for p, l in zip([1, 5, 7], [3, 2, 1])])
print("substr negative", [substr(b"Hello", -3, -1), substr(b"Hello", 1, -5), substr(b"Hello", 5, 2)])

# --- decode_raw of the types NeuralFlow has no dtype for
raw = bytes([0x01, 0x80, 0xFF, 0x7F])
print("decode_raw int8", np.frombuffer(raw, dtype="i1").tolist())
print("decode_raw int16 little", np.frombuffer(raw, dtype="<i2").tolist(), "big", np.frombuffer(raw, dtype=">i2").tolist())
print("decode_raw uint16 little", np.frombuffer(raw, dtype="<u2").tolist())
bf = torch.tensor([1.0, -2.5, 3.140625], dtype=torch.bfloat16)
bf_bytes = bf.view(torch.int16).numpy().astype("<i2").tobytes()
print("decode_raw bfloat16 bytes", list(bf_bytes), "values", bf.float().tolist())

# --- TensorProto, by field number from tensorflow/core/framework/{tensor,tensor_shape,types}.proto
fd = descriptor_pb2.FileDescriptorProto(name="tf_tensor_ref.proto", package="ref", syntax="proto3")
dim = fd.message_type.add(name="Dim")
dim.field.add(name="size", number=1, type=3, label=1)         # int64
dim.field.add(name="name", number=2, type=9, label=1)         # string
shp = fd.message_type.add(name="TensorShapeProto")
shp.field.add(name="dim", number=2, type=11, label=3, type_name=".ref.Dim")
shp.field.add(name="unknown_rank", number=3, type=8, label=1)
tp = fd.message_type.add(name="TensorProto")
tp.field.add(name="dtype", number=1, type=5, label=1)          # the DataType enum, a varint
tp.field.add(name="tensor_shape", number=2, type=11, label=1, type_name=".ref.TensorShapeProto")
tp.field.add(name="version_number", number=3, type=5, label=1)
tp.field.add(name="tensor_content", number=4, type=12, label=1)
tp.field.add(name="float_val", number=5, type=2, label=3)
tp.field.add(name="double_val", number=6, type=1, label=3)
tp.field.add(name="int_val", number=7, type=5, label=3)
tp.field.add(name="string_val", number=8, type=12, label=3)
tp.field.add(name="int64_val", number=10, type=3, label=3)
tp.field.add(name="bool_val", number=11, type=8, label=3)
tp.field.add(name="half_val", number=13, type=5, label=3)
pool = descriptor_pool.DescriptorPool()
pool.Add(fd)
TensorProto = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("ref.TensorProto"))

def serialize(dtype, shape, content=None, strings=None):
    t = TensorProto(dtype=dtype)
    t.tensor_shape.SetInParent()          # TF always sets the shape, a scalar's too
    for d in shape:
        t.tensor_shape.dim.add(size=d)
    if strings is not None:
        t.string_val.extend(strings)
    elif content:
        t.tensor_content = content
    return list(t.SerializeToString())

DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_STRING, DT_INT64, DT_BOOL, DT_HALF = 1, 2, 3, 4, 7, 9, 10, 19
print("serialize float32 [2,3]", serialize(DT_FLOAT, [2, 3], np.arange(6, dtype="<f4").tobytes()))
print("serialize float32 scalar 1.0", serialize(DT_FLOAT, [], np.float32(1.0).tobytes()))
print("serialize int64 [2]", serialize(DT_INT64, [2], np.array([-1, 300], dtype="<i8").tobytes()))
print("serialize int32 [0,2]", serialize(DT_INT32, [0, 2], b""))
print("serialize bool [3]", serialize(DT_BOOL, [3], bytes([1, 0, 1])))
print("serialize float16 [2]", serialize(DT_HALF, [2], np.array([1.5, -2], dtype="<f2").tobytes()))
print("serialize string [2]", serialize(DT_STRING, [2], strings=[b"hi", "é".encode()]))
# Written by another writer with typed lists: float_val [2.5] for a [2, 2] tensor fills it (Tensor::FromProto repeats the last).
t = TensorProto(dtype=DT_FLOAT); t.tensor_shape.dim.add(size=2); t.tensor_shape.dim.add(size=2); t.float_val.extend([1.0, 2.5])
print("typed float_val [1, 2.5] for [2,2]", list(t.SerializeToString()))
t = TensorProto(dtype=DT_INT32); t.tensor_shape.dim.add(size=3); t.int_val.extend([7, -8, 9])
print("typed int_val [7,-8,9]", list(t.SerializeToString()))

# --- tf.train.SequenceExample, by field number from tensorflow/core/example/{example,feature}.proto
fe = descriptor_pb2.FileDescriptorProto(name="tf_example_ref.proto", package="ex", syntax="proto3")
for list_name, kind in (("BytesList", 12), ("FloatList", 2), ("Int64List", 3)):
    fe.message_type.add(name=list_name).field.add(name="value", number=1, type=kind, label=3)
feat = fe.message_type.add(name="Feature")
feat.oneof_decl.add(name="kind")
for i, (fname, tname) in enumerate((("bytes_list", "BytesList"), ("float_list", "FloatList"), ("int64_list", "Int64List"))):
    feat.field.add(name=fname, number=i + 1, type=11, label=1, type_name=".ex." + tname, oneof_index=0)
def map_message(msg_name, field_name, value_type):
    m = fe.message_type.add(name=msg_name)
    entry_name = "".join(w.capitalize() for w in field_name.split("_")) + "Entry"   # protobuf's name for a map's entry type
    entry = m.nested_type.add(name=entry_name)
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, type=9, label=1)
    entry.field.add(name="value", number=2, type=11, label=1, type_name=value_type)
    m.field.add(name=field_name, number=1, type=11, label=3, type_name=".ex." + msg_name + "." + entry_name)
map_message("Features", "feature", ".ex.Feature")
fe.message_type.add(name="FeatureList").field.add(name="feature", number=1, type=11, label=3, type_name=".ex.Feature")
map_message("FeatureLists", "feature_list", ".ex.FeatureList")
se = fe.message_type.add(name="SequenceExample")
se.field.add(name="context", number=1, type=11, label=1, type_name=".ex.Features")
se.field.add(name="feature_lists", number=2, type=11, label=1, type_name=".ex.FeatureLists")
pool.Add(fe)
SequenceExample = message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("ex.SequenceExample"))
s = SequenceExample()
s.context.feature["length"].int64_list.value.append(3)
s.context.feature["title"].bytes_list.value.append(b"hi")
for v in (4, 7, 9):
    s.feature_lists.feature_list["tokens"].feature.add().int64_list.value.append(v)
for pair in ((1, 2), (3, 4), (5, 6)):
    s.feature_lists.feature_list["vectors"].feature.add().float_list.value.extend(pair)
for words in ((b"a", b"b"), (), (b"c",)):
    s.feature_lists.feature_list["words"].feature.add().bytes_list.SetInParent()
    s.feature_lists.feature_list["words"].feature[-1].bytes_list.value.extend(words)
print("sequence example", list(s.SerializeToString(deterministic=True)))
