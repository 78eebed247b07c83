# Reference values for PadSequencesTests: Keras 3's pad_sequences algorithm
# (keras/src/utils/sequence_utils.py: np.full then s[-maxlen:] / s[:maxlen] placed at the
# start or end), run with numpy. Run with /usr/bin/python3.
import numpy as np

def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    lengths = [len(s) for s in sequences]
    if maxlen is None:
        maxlen = np.max(lengths)
    x = np.full((len(sequences), maxlen), value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if padding == "post":
            x[idx, : len(trunc)] = trunc
        else:
            x[idx, -len(trunc):] = trunc
    return x

seqs = [[1], [2, 3], [4, 5, 6]]
print("default", pad_sequences(seqs).tolist())
print("value -1", pad_sequences(seqs, value=-1).tolist())
print("post", pad_sequences(seqs, padding="post").tolist())
print("maxlen 2", pad_sequences(seqs, maxlen=2).tolist())
mixed = [[7, 8, 9, 10, 11], [], [12, 13]]
print("post/post maxlen 3", pad_sequences(mixed, maxlen=3, padding="post", truncating="post").tolist())
print("pre/post maxlen 4 value 9", pad_sequences(mixed, maxlen=4, truncating="post", value=9).tolist())
floats = [[0.5, -1.25, 2.75], [3.5]]
print("float32 value -1.5", pad_sequences(floats, dtype="float32", value=-1.5).tolist())
print("floats to int32", pad_sequences(floats).tolist())
