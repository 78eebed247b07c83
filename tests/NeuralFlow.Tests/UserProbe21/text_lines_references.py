"""Reference numbers for DataTextLineTutorialTests.cs (TensorFlow's "Load text" tutorial in small)
and, part 2, DataStringsLayerTests.cs (the texts of the tf.data snippet).

Run with /usr/bin/python3 (numpy only; TensorFlow is not installed here). It mimics what
tf.data.TextLineDataset and keras.layers.TextVectorization do:
  * TextLineDataset: one element per line, split at b'\n', every b'\r' dropped (TensorFlow's
    BufferedInputStream::ReadLine), a last line without '\n' kept unless empty;
  * TextVectorization(standardize="lower_and_strip_punctuation", split="whitespace"): ASCII
    lower-casing, string.punctuation removed, split on whitespace;
  * the adapted vocabulary: "" (mask), "[UNK]", then tokens by count, ties broken by the token,
    both descending (keras' index_lookup: np.lexsort((tokens, counts))[::-1]), cut to max_tokens;
  * "int" output: unknown tokens 1, padded with 0 / cut to output_sequence_length.
"""
import string
import numpy as np

FILE_A = ("Achilles sing, O Goddess! Peleus' son;\r\n"
          "His wrath pernicious, who ten thousand woes\r\n"
          "Caused to Achaia's host, sent many a soul\r\n"
          "\r\n"
          "Illustrious into Ades premature,\r\n"
          "And Heroes' son; the dogs and vultures sing")
FILE_B = ("Of Peleus' son, Achilles, sing, O Muse,\n"
          "The vengeance, deep and deadly; whence to Greece\n"
          "Unnumbered ills arose; which many a soul\n"
          "Of mighty warriors to the viewless shades\n"
          "Ultimately sent; the dogs, the sing and son.\n")
MAX_TOKENS = 20
SEQUENCE_LENGTH = 6


def lines(text):
    data = text.encode().replace(b"\r", b"")
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts = parts[:-1]
    return [p.decode() for p in parts]


def tokens(line):
    lowered = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in line)
    stripped = "".join(c for c in lowered if c not in string.punctuation)
    return stripped.split()


all_lines = lines(FILE_A) + lines(FILE_B)
print("lines A:", len(lines(FILE_A)), "lines B:", len(lines(FILE_B)))
print("line 3 of A:", repr(lines(FILE_A)[3]), "last of A:", repr(lines(FILE_A)[-1]))

def vectorized(texts, max_tokens, sequence_length):
    counts = {}
    for text in texts:
        for t in tokens(text):
            counts[t] = counts.get(t, 0) + 1
    words = list(counts.keys())
    freq = np.array([counts[w] for w in words])
    order = np.lexsort((np.array([w.encode() for w in words], dtype=object), freq))[::-1]
    vocab = ["", "[UNK]"] + [words[i] for i in order][: max_tokens - 2]
    index = {w: i for i, w in enumerate(vocab)}
    rows = []
    for text in texts:
        ids = [index.get(t, 1) for t in tokens(text)][:sequence_length]
        rows.append(ids + [0] * (sequence_length - len(ids)))
    return vocab, rows


vocab, rows = vectorized(all_lines, MAX_TOKENS, SEQUENCE_LENGTH)
print("vocabulary:", vocab)
for line, ids in zip(all_lines, rows):
    print(repr(line), ids)

print("part 2: TextVectorization(max_tokens=1000, output_sequence_length=8)")
vocab, rows = vectorized(["the cat", "a dog", "the bird", "one fish", "two fish"], 1000, 8)
print("vocabulary:", vocab)
print("ids:", rows)
