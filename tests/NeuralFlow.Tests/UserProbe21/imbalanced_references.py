#!/usr/bin/python3
"""References for TutorialImbalancedDataTests: the tutorial's METRICS on fixed predictions, in float64
with numpy. The confusion counts, accuracy, precision and recall at 0.5 are Keras' definitions; AUC
follows Keras' AUC(num_thresholds=200): thresholds [-1e-7, 1/199, ..., 198/199, 1 + 1e-7], a prediction
counts as positive above a threshold, ROC by the trapezoid (Riemann "interpolation") over (FPR, TPR),
PR by Keras' interpolate_pr_auc (Davis & Goadrich). Brier score is the mean squared error; cross
entropy Keras' binary crossentropy with predictions clipped to [1e-7, 1 - 1e-7]."""
import numpy as np

y = np.array([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], dtype=np.float64)
p = np.array([0.03, 0.12, 0.91, 0.47, 0.08, 0.64, 0.38, 0.02, 0.21, 0.05, 0.33, 0.77,
              0.11, 0.56, 0.07, 0.01, 0.26, 0.52, 0.09, 0.14, 0.04, 0.43, 0.86, 0.18], dtype=np.float64)

pred = p > 0.5
tp = np.sum(pred & (y == 1)); fp = np.sum(pred & (y == 0))
tn = np.sum(~pred & (y == 0)); fn = np.sum(~pred & (y == 1))
print("tp fp tn fn:", tp, fp, tn, fn)
print("accuracy:", repr((tp + tn) / len(y)), "precision:", repr(tp / (tp + fp)), "recall:", repr(tp / (tp + fn)))
print("brier:", repr(np.mean((p - y) ** 2)))
q = np.clip(p, 1e-7, 1 - 1e-7)
print("cross entropy:", repr(np.mean(-(y * np.log(q) + (1 - y) * np.log(1 - q)))))

n = 200
thresholds = np.array([-1e-7] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + 1e-7])
above = p[None, :] > thresholds[:, None]
TP = np.sum(above & (y == 1), axis=1).astype(np.float64)
FP = np.sum(above & (y == 0), axis=1).astype(np.float64)
FN = np.sum(~above & (y == 1), axis=1).astype(np.float64)
TN = np.sum(~above & (y == 0), axis=1).astype(np.float64)
tpr = TP / (TP + FN); fpr = FP / (FP + TN)
print("auc (ROC):", repr(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)))

dtp = TP[:-1] - TP[1:]
P = TP + FP
dp = P[:-1] - P[1:]
slope = np.divide(dtp, np.maximum(dp, 0), out=np.zeros_like(dtp), where=dp > 0)
intercept = TP[1:] - slope * P[1:]
ratio = np.where((dp > 0) & (P[1:] > 0), P[:-1] / np.where(P[1:] > 0, P[1:], 1), 1.0)
increments = slope * (dtp + intercept * np.log(ratio))
positives = TP[1:] + FN[1:]
print("prc (PR):", repr(np.sum(np.divide(increments, positives, out=np.zeros_like(increments), where=positives > 0))))

# tf.math.confusion_matrix(labels, predictions > t): rows the labels, columns the predictions.
for t in (0.5, 0.1):
    cm = np.zeros((2, 2), dtype=np.int64)
    for label, guess in zip(y.astype(int), (p > t).astype(int)):
        cm[label, guess] += 1
    print(f"confusion matrix @{t}:", cm.tolist())
