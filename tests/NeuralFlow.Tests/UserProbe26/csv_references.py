# Reference values for the TutorialCsv* tests (TensorFlow's "Load CSV data" tutorial ported to C#).
# Run with /usr/bin/python3 (torch 1.13, numpy). The synthetic files are made by the same formulas as
# TutorialCsvData.cs; Python's csv module parses them, torch trains the abalone models.
import csv, io
import numpy as np
import torch

def dec(k):  # k thousandths as text with three decimals, exactly as TutorialCsvData.Dec
    return f"{k // 1000}.{k % 1000:03d}"

def abalone(rows):
    out = []
    for i in range(rows):
        length = 300 + (i * 37) % 401
        whole = 100 + (i * 53) % 1800
        shell = whole * 3 // 10 + (i % 7) * 5
        age = 4 + shell * 20 // 1000 + length * 3 // 1000 + (i * 7) % 5
        out.append([dec(length), dec(length * 8 // 10), dec(50 + (i * 11) % 150), dec(whole), dec(whole * 4 // 10), dec(whole * 2 // 10), dec(shell), str(age)])
    return "".join(",".join(r) + "\n" for r in out)

def titanic(rows):
    classes, towns = ["First", "Second", "Third"], ["Southampton", "Cherbourg", "Queenstown, Cork"]
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\n")
    w.writerow(["survived", "sex", "age", "n_siblings_spouses", "parch", "fare", "class", "deck", "embark_town", "alone"])
    for i in range(rows):
        female = i % 3 == 1
        cls = (i * 7) % 3
        survived = 1 if (female and cls < 2) or i % 5 == 0 else 0
        age = "" if i % 11 == 4 else f"{18 + (i * 13) % 50}.0"
        fare = f"{8 + 30 * (2 - cls) + i % 7}.{(i * 3) % 100:02d}"
        w.writerow([survived, "female" if female else "male", age, i % 4, (i // 3) % 3, fare, classes[cls], "C" if cls == 0 else "unknown", towns[i % 3], "y" if i % 3 == 0 else "n"])
    return text.getvalue()

def w1(i, j): return ((i * 31 + j * 17) % 23 - 11) / 50.0
def w2(j): return ((j * 13) % 19 - 9) / 40.0

def train_abalone(normalize, epochs=10, batch=32):
    rows = list(csv.reader(io.StringIO(abalone(200))))
    data = np.array(rows, dtype=np.float32)
    x, y = torch.tensor(data[:, :7]), torch.tensor(data[:, 7:])
    if normalize:
        mean, var = x.mean(0), x.var(0, unbiased=False)
        x = (x - mean) / torch.sqrt(var)
    l1, l2 = torch.nn.Linear(7, 64), torch.nn.Linear(64, 1)
    with torch.no_grad():
        l1.weight.copy_(torch.tensor([[w1(i, j) for i in range(7)] for j in range(64)]))
        l1.bias.zero_()
        l2.weight.copy_(torch.tensor([[w2(j) for j in range(64)]]))
        l2.bias.zero_()
    params = list(l1.parameters()) + list(l2.parameters())
    opt = torch.optim.Adam(params, lr=0.001, eps=1e-7)
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for s in range(0, len(x), batch):
            xb, yb = x[s:s + batch], y[s:s + batch]
            loss = ((l2(torch.relu(l1(xb))) - yb) ** 2).mean()
            opt.zero_grad(); loss.backward(); opt.step()
            # Keras' epoch loss: the batch losses averaged with the batch sizes as weights.
            total += loss.item() * len(xb); count += len(xb)
        losses.append(total / count)
    return losses

print("abalone raw losses:", ", ".join(f"{v:.6g}f" for v in train_abalone(False)))
print("abalone normalized losses:", ", ".join(f"{v:.6g}f" for v in train_abalone(True)))

rows = list(csv.reader(io.StringIO(titanic(120))))
header, body = rows[0], rows[1:]
print("titanic header:", header)
print("titanic rows:", len(body))
for r in body[:5]: print("titanic row:", r)
print("titanic row 3 embark_town:", repr(body[3][8]))
ages = np.array([float(r[2]) if r[2] else 0.0 for r in body], dtype=np.float32)
print("titanic first 5 ages (empty->0):", ages[:5].tolist(), "empty count:", sum(1 for r in body if r[2] == ""))
# The preprocessing head on row 0: numeric columns (age, n_siblings_spouses, parch, fare) normalized, then one-hots.
num = np.array([[float(r[2]) if r[2] else 0.0, float(r[3]), float(r[4]), float(r[5])] for r in body], dtype=np.float64)
z = (num[0] - num.mean(0)) / num.std(0)
print("titanic row 0 normalized numeric:", ", ".join(f"{v:.6g}f" for v in z))
for c, name in [(1, "sex"), (6, "class"), (7, "deck"), (8, "embark_town"), (9, "alone")]:
    vocab = sorted(set(r[c] for r in body))
    hot = [0] * (len(vocab) + 1); hot[vocab.index(body[0][c]) + 1] = 1
    print(f"titanic {name} vocabulary {vocab} row 0 one-hot {hot}")
print("titanic survived first 10:", [int(r[0]) for r in body[:10]])

# TutorialCsvReaderTests' quoted file: commas, a line break and a doubled quote inside quotes, an NA marker.
QUOTED = 'name,note,score\n"Smith, J","said ""hi""\nthen left",3.5\nLee,NA,\n"O\'Brien",plain,-inf\n'
for r in csv.reader(io.StringIO(QUOTED)): print("quoted row:", r)
print("float32 holds -inf:", bool(np.float32("-inf") < np.finfo(np.float32).max), "inf:", bool(np.float32("inf") < np.finfo(np.float32).max))
