# Reference values of the KerasSmall tests; run with /usr/bin/python3 (torch 1.13, numpy).
import numpy as np, torch

# ReversibleEmbedding: table E = arange(12).reshape(3, 4) / 10 - 0.5 (3 tokens, 4 dims),
# untied reverse matrix R = arange(12).reshape(4, 3) / 7 - 0.8, hidden h of shape (2, 1, 4).
E = torch.arange(12, dtype=torch.float64).reshape(3, 4) / 10 - 0.5
R = torch.arange(12, dtype=torch.float64).reshape(4, 3) / 7 - 0.8
h = torch.tensor([[[1.0, -2.0, 0.5, 3.0]], [[0.25, 0.0, -1.0, 2.0]]], dtype=torch.float64)
print("tied", (h @ E.T).flatten().tolist())
print("tied capped 2", (torch.tanh(h @ E.T / 2) * 2).flatten().tolist())
print("untied", (h @ R).flatten().tolist())

# IntegerLookup tf_idf adapt: documents (rows) [[1, 2, 2, 3], [2, 3, 5, 5], [7, 2, 2, 2]];
# idf = log(1 + N / (1 + df)) (integer_lookup.py docstring); vocabulary by count: 2 (6), 5 (2), 3 (2), 7, 1 (ties: larger first).
docs = np.array([[1, 2, 2, 3], [2, 3, 5, 5], [7, 2, 2, 2]])
vocab = [2, 5, 3, 7, 1]
idf = [np.log(1 + len(docs) / (1 + sum(t in row for row in docs))) for t in vocab]
print("idf", [float(np.mean(idf))] + idf)
x = np.array([[2, 2, 9, 7]])
counts = np.zeros(6); counts[0] += 1  # 9 is out of vocabulary
for t in [2, 2, 7]: counts[1 + vocab.index(t)] += 1
print("tf_idf", (counts * np.array([np.mean(idf)] + idf)).tolist())
