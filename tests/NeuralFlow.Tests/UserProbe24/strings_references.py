# Reference values for the NF.Strings and NF.IO.DecodeRaw tests. No TensorFlow here: tf.strings.split
# "matches python's str.split" (its docs), so bytes.split gives Split's values; C's printf (Python's %
# operator) gives tf.strings.as_string's; numpy.frombuffer gives tf.io.decode_raw's.
# Run: /usr/bin/python3 strings_references.py
import numpy as np

print("split whitespace", [b"  hello   world \t".split(), b"a b c".split(), b"".split(), b"  ".split()])
print("split sep", [b"1<>2<><>3".split(b"<>"), b"".split(b","), b",a,".split(b",")])
print("split maxsplit", [b"a b  c d ".split(None, 1), b"  a b c".split(None, 2), b"1,2,3,4".split(b",", 2), b"a b".split(None, 0)])
print("unicode decode", [ord(c) for c in "héllo"], [ord(c) for c in "日本"])
print("length bytes", [len("héllo".encode()), len("日本".encode()), len(b"")], "chars", [len("héllo"), len("日本"), 0])
print("as_string %f", ["%f" % 3.5, "%f" % np.float32(0.1), "%.2f" % -1.005, "%e" % 3.5, "%g" % 3.5, "%g" % 1234567.0, "%g" % 0.0001, "%g" % 0.00001234, "%5d" % 42, "%05d" % -42, "%-5d|" % 7, "%.3e" % 12345.678])
print("to_number", [np.float32(float(" 3.5 ")), float("1e-3"), float("-inf"), int(" -17 ")])
print("decode_raw float32", np.frombuffer(b"\x00\x00\x80?\x00\x00\x00@", dtype="<f4").tolist())
print("decode_raw int32 big", np.frombuffer(bytes([0, 0, 1, 2, 255, 255, 255, 254]), dtype=">i4").tolist())
print("decode_raw int64", np.frombuffer(bytes([1, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]), dtype="<i8").tolist())
print("decode_raw float64", np.frombuffer(np.array([1.5, -2.25]).astype("<f8").tobytes(), dtype="<f8").tolist(), list(np.array([1.5, -2.25]).astype("<f8").tobytes()))
print("decode_raw float16", np.frombuffer(bytes([0, 60, 0, 192]), dtype="<f2").tolist())
print("decode_raw text uint8", list("abé".encode()), "int32 of 'abcd','efgh'", np.frombuffer(b"abcdefgh", dtype="<i4").tolist())
print("decode_raw fixed 8 of 'ab' as int32", np.frombuffer(b"ab\0\0\0\0\0\0", dtype="<i4").tolist(), "of 'abcdefghij'", np.frombuffer(b"abcdefgh", dtype="<i4").tolist())
