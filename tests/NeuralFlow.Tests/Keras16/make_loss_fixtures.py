"""Expected values for Keras16/LossTests.cs, from Keras 3's own loss tests.

Each case is one assertion of keras/src/losses/losses_test.py (keras-team/keras), named by its
test class and method in "source". Where the Keras test states the number, it is copied; where
the test computes it with NumPy (Huber, LogCosh, KLDivergence, Poisson, CosineSimilarity), the
same NumPy expression is evaluated here. "decimals" is the test's assertAlmostEqual precision
(|actual - expected| < 1.5 * 10^-decimals); cases without it were assertAllClose.
Run: /usr/bin/python3 make_loss_fixtures.py > loss_fixtures.json
"""
import json
import numpy as np

cases = []


def case(source, loss, y_true, y_pred, expected, args=None, sample_weight=None, decimals=None, float32_only=False):
    yt, yp = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    c = {"source": source, "loss": loss, "args": args or {},
         "y_true": yt.ravel().tolist(), "true_shape": list(yt.shape),
         "y_pred": yp.ravel().tolist(), "pred_shape": list(yp.shape),
         "expected": np.asarray(expected, dtype=np.float64).ravel().tolist(),
         "expected_shape": list(np.shape(expected))}
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype=np.float64)
        c["sample_weight"], c["weight_shape"] = sw.ravel().tolist(), list(sw.shape)
    if decimals is not None:
        c["decimals"] = decimals
    if float32_only:
        c["float32_only"] = True
    cases.append(c)


# Regression losses share these inputs (MeanSquaredErrorTest and its siblings).
T = [[1, 9, 2], [-5, -2, 6]]
P = [[4, 8, 12], [8, 1, 3]]
T3 = np.asarray([1, 9, 2, -5, -2, 6]).reshape(2, 3, 1)
P3 = np.asarray([4, 8, 12, 8, 1, 3]).reshape(2, 3, 1)
TS = np.array([3, 6, 5, 0, 4, 2]).reshape((2, 3))
SW = [[1.2], [3.4]]

for name, cls, values in [
    ("mean_squared_error", "MeanSquaredErrorTest", dict(unweighted=49.5, scalar=113.85, sample=767.8 / 6, timestep=97.833336,
                                                         none=[84.3333, 143.3666], sum=227.69998,
                                                         mwsw=(110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4))),
    ("mean_absolute_error", "MeanAbsoluteErrorTest", dict(unweighted=5.5, scalar=12.65, sample=81.4 / 6, timestep=13.833333,
                                                           none=[10.7333, 14.5666], sum=25.29999,
                                                           mwsw=(14 / 3 * 1.2 + 19 / 3 * 3.4) / (1.2 + 3.4))),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageErrorTest", dict(unweighted=211.8518, scalar=487.259, sample=422.8888,
                                                                               timestep=694.4444, none=[621.8518, 352.6666], mwsw=183.865)),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicErrorTest", dict(unweighted=1.4370, scalar=3.3051, sample=3.7856,
                                                                               timestep=2.647374, mwsw=1.646)),
]:
    case(f"{cls}.test_unweighted", name, T, P, values["unweighted"], decimals=3)
    case(f"{cls}.test_scalar_weighted", name, T, P, values["scalar"], sample_weight=2.3, decimals=3)
    case(f"{cls}.test_sample_weighted", name, T, P, values["sample"], sample_weight=SW, decimals=3)
    case(f"{cls}.test_timestep_weighted", name, T3, P3, values["timestep"], sample_weight=TS, decimals=3)
    case(f"{cls}.test_zero_weighted", name, T, P, 0.0, sample_weight=0.0, decimals=3)
    case(f"{cls}.test_mean_with_sample_weight_reduction", name, T, P, values["mwsw"], sample_weight=SW,
         args={"reduction": "mean_with_sample_weight"}, decimals=3)
    if "none" in values:
        case(f"{cls}.test_no_reduction", name, T, P, values["none"], sample_weight=2.3, args={"reduction": "none"}, decimals=3)
    if "sum" in values:
        case(f"{cls}.test_sum_reduction", name, T, P, values["sum"], sample_weight=2.3, args={"reduction": "sum"}, decimals=3)

# HingeTest, SquaredHingeTest, CategoricalHingeTest: 0/1 targets, reductions and [1, 0] weights.
HT, HP = [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]
for name, cls, mean, total, per, wmean, wsum, wper in [
    ("hinge", "HingeTest", 1.3, 2.6, [1.1, 1.5], 0.55, 1.1, [1.1, 0.0]),
    ("squared_hinge", "SquaredHingeTest", 1.86, 3.72, [1.46, 2.26], 0.73, 1.46, [1.46, 0.0]),
    ("categorical_hinge", "CategoricalHingeTest", 1.4, 2.8, [1.2, 1.6], 0.6, 1.2, [1.2, 0.0]),
]:
    case(f"{cls}.test_unweighted", name, HT, HP, mean, decimals=3)
    case(f"{cls}.test_unweighted", name, HT, HP, total, args={"reduction": "sum"}, decimals=3)
    case(f"{cls}.test_unweighted", name, HT, HP, per, args={"reduction": "none"})
    case(f"{cls}.test_weighted", name, HT, HP, wmean, sample_weight=[1, 0], decimals=3)
    case(f"{cls}.test_weighted", name, HT, HP, wsum, sample_weight=[1, 0], args={"reduction": "sum"}, decimals=3)
    case(f"{cls}.test_weighted", name, HT, HP, wper, sample_weight=[1, 0], args={"reduction": "none"}, decimals=3)
    case(f"{cls}.test_zero_weighted", name, HT, HP, 0.0, sample_weight=0.0, decimals=3)


# CosineSimilarityTest
def l2_norm(x, axis):
    return x / np.sqrt(np.maximum(np.sum(np.square(x), axis=axis, keepdims=True), 1e-12))


CT, CP = np.asarray(T, dtype=np.float32), np.asarray(P, dtype=np.float32)
cos = np.sum(l2_norm(CT, 1) * l2_norm(CP, 1), axis=(1,))
case("CosineSimilarityTest.test_unweighted", "cosine_similarity", CT, CP, -np.mean(cos), decimals=3)
case("CosineSimilarityTest.test_scalar_weighted", "cosine_similarity", CT, CP, -np.mean(cos * 2.3), sample_weight=2.3, decimals=3)
case("CosineSimilarityTest.test_sample_weighted", "cosine_similarity", CT, CP, -np.mean(cos * np.asarray([1.2, 3.4])),
     sample_weight=[1.2, 3.4], decimals=3)
cos3 = np.sum(l2_norm(CT.reshape(2, 3, 1), 2) * l2_norm(CP.reshape(2, 3, 1), 2), axis=(2,))
case("CosineSimilarityTest.test_timestep_weighted", "cosine_similarity", CT.reshape(2, 3, 1), CP.reshape(2, 3, 1),
     -np.mean(cos3 * TS), sample_weight=TS, decimals=3)
case("CosineSimilarityTest.test_zero_weighted", "cosine_similarity", CT, CP, 0.0, sample_weight=0, decimals=3)
case("CosineSimilarityTest.test_axis", "cosine_similarity", CT, CP, -np.mean(cos), args={"axis": 1}, decimals=3)


# HuberLossTest
def huber(y_true, y_pred, delta=1.0):
    abs_error = np.abs(y_pred - y_true)
    quadratic = np.minimum(abs_error, delta)
    return 0.5 * quadratic * quadratic + delta * (abs_error - quadratic)


HuP, HuT = np.array([[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]]), np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
hl = huber(HuT, HuP)
case("HuberLossTest.test_all_correct", "huber_loss", HuT, HuT, 0.0, decimals=3)
case("HuberLossTest.test_unweighted", "huber_loss", HuT, HuP, np.sum(hl) / 6, decimals=3)
case("HuberLossTest.test_scalar_weighted", "huber_loss", HuT, HuP, 2.3 * np.sum(hl) / 6, sample_weight=2.3, decimals=3)
case("HuberLossTest.test_sample_weighted", "huber_loss", HuT, HuP,
     np.sum(hl * np.asarray([1.2, 1.2, 1.2, 3.4, 3.4, 3.4]).reshape((2, 3))) / 6, sample_weight=SW, decimals=3)
TS3 = TS.reshape((2, 3, 1))
case("HuberLossTest.test_timestep_weighted", "huber_loss", HuT.reshape(2, 3, 1), HuP.reshape(2, 3, 1),
     np.sum(huber(HuT.reshape(2, 3, 1), HuP.reshape(2, 3, 1)) * TS3) / 6, sample_weight=TS3, decimals=3)
case("HuberLossTest.test_zero_weighted", "huber_loss", HuT, HuP, 0.0, sample_weight=0, decimals=3)
case("HuberLossTest.test_non_default_delta", "huber_loss", HuT, HuP, 2.3 * np.sum(huber(HuT, HuP, 0.8)) / 6,
     args={"delta": 0.8}, sample_weight=2.3, decimals=3)

# LogCoshTest
err = CP - CT
lc = np.log((np.exp(err) + np.exp(-err)) / 2)
case("LogCoshTest.test_unweighted", "log_cosh", CT, CP, np.sum(lc) / 6, decimals=3)
case("LogCoshTest.test_scalar_weighted", "log_cosh", CT, CP, 2.3 * np.sum(lc) / 6, sample_weight=2.3, decimals=3)
case("LogCoshTest.test_sample_weighted", "log_cosh", CT, CP,
     np.sum(lc * np.asarray([1.2, 1.2, 1.2, 3.4, 3.4, 3.4]).reshape((2, 3))) / 6, sample_weight=[1.2, 3.4], decimals=3)
err3 = P3 - T3
case("LogCoshTest.test_timestep_weighted", "log_cosh", T3, P3,
     np.sum(np.log((np.exp(err3) + np.exp(-err3)) / 2) * TS3) / 6, sample_weight=TS3, decimals=3)
case("LogCoshTest.test_zero_weighted", "log_cosh", CT, CP, 0.0, sample_weight=0, decimals=3)

# KLDivergenceTest
KP = np.asarray([0.4, 0.9, 0.12, 0.36, 0.3, 0.4], dtype=np.float32).reshape((2, 3))
KT = np.asarray([0.5, 0.8, 0.12, 0.7, 0.43, 0.8], dtype=np.float32).reshape((2, 3))
kl = KT * np.log(KT / KP)
case("KLDivergenceTest.test_unweighted", "kl_divergence", KT, KP, np.sum(kl) / 2, decimals=3)
case("KLDivergenceTest.test_scalar_weighted", "kl_divergence", KT, KP, 2.3 * np.sum(kl) / 2, sample_weight=2.3, decimals=3)
case("KLDivergenceTest.test_sample_weighted", "kl_divergence", KT, KP,
     np.sum(kl * np.asarray([1.2, 1.2, 1.2, 3.4, 3.4, 3.4]).reshape(2, 3)) / 2, sample_weight=SW, decimals=3)
kl3 = np.sum(KT.reshape(2, 3, 1) * np.log(KT.reshape(2, 3, 1) / KP.reshape(2, 3, 1)), axis=-1)
case("KLDivergenceTest.test_timestep_weighted", "kl_divergence", KT.reshape(2, 3, 1), KP.reshape(2, 3, 1),
     np.sum(kl3 * TS) / 6, sample_weight=TS, decimals=3)
case("KLDivergenceTest.test_zero_weighted", "kl_divergence", KT, KP, 0.0, sample_weight=0, decimals=3)

# PoissonTest
PP = np.asarray([1, 9, 2, 5, 2, 6], dtype=np.float32).reshape((2, 3))
PT = np.asarray([4, 8, 12, 8, 1, 3], dtype=np.float32).reshape((2, 3))
po = PP - PT * np.log(PP)
case("PoissonTest.test_unweighted", "poisson", PT, PP, np.sum(po) / 6, decimals=3)
case("PoissonTest.test_scalar_weighted", "poisson", PT, PP, 2.3 * np.sum(po) / 6, sample_weight=2.3, decimals=3)
case("PoissonTest.test_sample_weighted", "poisson", PT, PP,
     np.sum(po * np.asarray([1.2, 1.2, 1.2, 3.4, 3.4, 3.4]).reshape((2, 3))) / 6, sample_weight=SW, decimals=3)
case("PoissonTest.test_timestep_weighted", "poisson", PT.reshape(2, 3, 1), PP.reshape(2, 3, 1),
     np.sum(po.reshape(2, 3, 1) * TS3) / 6, sample_weight=TS, decimals=3)
case("PoissonTest.test_zero_weighted", "poisson", PT, PP, 0.0, sample_weight=0, decimals=3)

# BinaryCrossentropyTest
B1T, B1P = [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]]
B2T, B2P = np.array([1, 0, 1, 0]).reshape([2, 2]), np.array([1, 1, 1, 0]).reshape([2, 2])
BLT, BL = [[1, 0, 1], [0, 1, 1]], [[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]]
case("BinaryCrossentropyTest.test_all_correct_unweighted", "binary_crossentropy", B1T, B1T, 0.0, decimals=3)
case("BinaryCrossentropyTest.test_all_correct_unweighted", "binary_crossentropy", B1T,
     [[10.0, -10.0, -10.0], [-10.0, 10.0, -10.0], [-10.0, -10.0, 10.0]], 0.0, args={"from_logits": True}, decimals=3)
case("BinaryCrossentropyTest.test_unweighted", "binary_crossentropy", B1T, B1P, 0.20046903)
# Predictions of exactly 0 and 1 are clipped to [1e-7, 1 - 1e-7]: in float32, 1 - (1 - 1e-7) is
# 1.19e-7, which these values depend on, so they hold in float32 only.
case("BinaryCrossentropyTest.test_unweighted", "binary_crossentropy", B2T, B2P, 3.98559, decimals=3, float32_only=True)
case("BinaryCrossentropyTest.test_unweighted", "binary_crossentropy", BLT, BL, 3.3333, args={"from_logits": True}, decimals=3)
case("BinaryCrossentropyTest.test_scalar_weighted", "binary_crossentropy", B2T, B2P, 9.1668, sample_weight=2.3, decimals=3,
     float32_only=True)
case("BinaryCrossentropyTest.test_scalar_weighted", "binary_crossentropy", BLT, BL, 7.666, args={"from_logits": True},
     sample_weight=2.3, decimals=3)
case("BinaryCrossentropyTest.test_sample_weighted", "binary_crossentropy", B2T, B2P, 4.7827, sample_weight=[[1.2], [3.4]], decimals=3,
     float32_only=True)
case("BinaryCrossentropyTest.test_sample_weighted", "binary_crossentropy", BLT, BL, 10.0, args={"from_logits": True},
     sample_weight=[4, 3], decimals=3)
case("BinaryCrossentropyTest.test_no_reduction", "binary_crossentropy", BLT, BL, [0.0, 6.666],
     args={"from_logits": True, "reduction": "none"}, decimals=3)
case("BinaryCrossentropyTest.test_label_smoothing", "binary_crossentropy", [[1, 0, 1]], [[10.0, -10.0, -10.0]],
     (10.0 + 5.0 * 0.1) / 3.0, args={"from_logits": True, "label_smoothing": 0.1}, decimals=3)

# CategoricalCrossentropyTest and SparseCategoricalCrossentropyTest
CT1 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
CP1 = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]]
CL1 = [[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]]
CSW = [[1.2], [3.4], [5.6]]
for name, cls, targets in [("categorical_crossentropy", "CategoricalCrossentropyTest", CT1),
                           ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropyTest", [[0], [1], [2]])]:
    case(f"{cls}.test_unweighted", name, targets, CP1, 0.3239, decimals=3)
    case(f"{cls}.test_unweighted", name, targets, CL1, 0.0573, args={"from_logits": True}, decimals=3)
    case(f"{cls}.test_scalar_weighted", name, targets, CP1, 0.7449, sample_weight=2.3, decimals=3)
    case(f"{cls}.test_scalar_weighted", name, targets, CL1, 0.1317, args={"from_logits": True}, sample_weight=2.3, decimals=3)
    case(f"{cls}.test_sample_weighted", name, targets, CP1, 1.0696, sample_weight=CSW, decimals=3)
    case(f"{cls}.test_sample_weighted", name, targets, CL1, 0.31829, args={"from_logits": True}, sample_weight=CSW, decimals=3)
    case(f"{cls}.test_no_reduction", name, targets, CL1, [0.001822, 0.000459, 0.169846], args={"from_logits": True, "reduction": "none"})
case("CategoricalCrossentropyTest.test_label_smoothing", "categorical_crossentropy", [[1, 0, 0]], [[100.0, -100.0, -100.0]],
     400.0 * 0.1 / 3.0, args={"from_logits": True, "label_smoothing": 0.1}, decimals=3)
case("SparseCategoricalCrossentropyTest.test_unweighted", "sparse_categorical_crossentropy", [0, 1, 2], CP1, 0.3239, decimals=3)
case("SparseCategoricalCrossentropyTest.test_ignore_class", "sparse_categorical_crossentropy", [[-1, 2]],
     [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]], [[0.0, 1.480129]],
     args={"from_logits": True, "ignore_class": -1, "reduction": "none"})
case("SparseCategoricalCrossentropyTest.test_ignore_class", "sparse_categorical_crossentropy", [[[-1], [2]]],
     [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]], [[0.0, 1.480129]],
     args={"from_logits": True, "ignore_class": -1, "reduction": "none"})
# Keras' apply_mask: the default reduction averages over the targets that are not ignored.
case("SparseCategoricalCrossentropyTest.test_ignore_class (reduced, loss.py apply_mask)", "sparse_categorical_crossentropy",
     [[-1, 2]], [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]], 1.480129, args={"from_logits": True, "ignore_class": -1})

# BinaryFocalCrossentropyTest
FT, FP = np.asarray([1, 0, 1, 0]).reshape([2, 2]), np.asarray([0.9, 0.8, 0.7, 0.2]).reshape([2, 2])
FLT, FL = [[1, 1, 0], [0, 1, 0]], [[1.5, -2.7, 2.9], [-3.8, 1.2, -4.5]]
case("BinaryFocalCrossentropyTest.test_all_correct_unweighted", "binary_focal_crossentropy", CT1, CT1, 0.0,
     args={"gamma": 1.5}, decimals=3)
case("BinaryFocalCrossentropyTest.test_all_correct_unweighted", "binary_focal_crossentropy", CT1,
     [[100.0, -100.0, -100.0], [-100.0, 100.0, -100.0], [-100.0, -100.0, 100.0]], 0.0,
     args={"gamma": 2.0, "from_logits": True}, decimals=3)
case("BinaryFocalCrossentropyTest.test_unweighted", "binary_focal_crossentropy", FT, FP, 0.268, args={"gamma": 2.0}, decimals=3)
case("BinaryFocalCrossentropyTest.test_unweighted", "binary_focal_crossentropy", FLT, FL, 0.799,
     args={"gamma": 3.0, "from_logits": True}, decimals=3)
case("BinaryFocalCrossentropyTest.test_scalar_weighted", "binary_focal_crossentropy", FT, FP, 0.3296, args={"gamma": 2.0},
     sample_weight=1.23, decimals=3)
case("BinaryFocalCrossentropyTest.test_scalar_weighted", "binary_focal_crossentropy", FLT, FL, 2.565,
     args={"gamma": 3.0, "from_logits": True}, sample_weight=3.21, decimals=3)
case("BinaryFocalCrossentropyTest.test_sample_weighted", "binary_focal_crossentropy", FT, FP, 0.34415, args={"gamma": 2.0},
     sample_weight=[[1.2], [3.4]], decimals=3)
case("BinaryFocalCrossentropyTest.test_sample_weighted", "binary_focal_crossentropy", FLT, FL, 0.95977,
     args={"gamma": 3.0, "from_logits": True}, sample_weight=[[1.2], [3.4]], decimals=3)
case("BinaryFocalCrossentropyTest.test_no_reduction", "binary_focal_crossentropy", FT, FP, [0.515547, 0.020513],
     args={"gamma": 2.0, "reduction": "none"})


# apply_class_balancing has no case in losses_test.py: its expected value is losses.py's
# binary_focal_crossentropy written out in NumPy (float32 clip at Keras' epsilon, as ops.binary_crossentropy).
def bfce(y, p, gamma, alpha, smoothing=0.0):
    y = y * (1 - smoothing) + 0.5 * smoothing
    out = np.clip(p, 1e-7, 1 - 1e-7)
    bce = -(y * np.log(out) + (1 - y) * np.log(1 - out))
    p_t = y * p + (1 - y) * (1 - p)
    return np.mean((y * alpha + (1 - y) * (1 - alpha)) * (1 - p_t) ** gamma * bce, axis=-1)


case("losses.py binary_focal_crossentropy, apply_class_balancing=True", "binary_focal_crossentropy", FT, FP,
     np.mean(bfce(FT, FP, 2.0, 0.25)), args={"gamma": 2.0, "alpha": 0.25, "apply_class_balancing": True})
case("losses.py binary_focal_crossentropy, apply_class_balancing and label_smoothing", "binary_focal_crossentropy", FT, FP,
     bfce(FT, FP, 1.5, 0.4, 0.2), args={"gamma": 1.5, "alpha": 0.4, "apply_class_balancing": True, "label_smoothing": 0.2,
                                        "reduction": "none"})

print(json.dumps(cases, indent=1))
