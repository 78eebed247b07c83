# Reference values for TutorialFgsmTests and TutorialIntegratedGradientsTests: TensorFlow's tutorials
# generative/adversarial_fgsm.ipynb and interpretability/integrated_gradients.ipynb, computed with PyTorch 1.13 (float32).
# Run: /usr/bin/python3 inputgrads_references.py
#
# The pretrained MobileNetV2 and Inception are downloads, so one small CNN stands in for both, in Keras' layout (NHWC,
# kernels [kh, kw, in, out]): Conv2D(4, 3, relu) 'valid', MaxPooling2D(2), Flatten, Dense(6, relu), Dense(5) on an
# 8x8x3 image; softmax on top for FGSM (MobileNetV2 ends in one), logits for IG (the tutorial applies tf.nn.softmax).
# Weight k of layer l is Scale_l * sin(0.7 k + 1.3 l + 0.4) (Weight below), in the order of the Keras tensor.
# The images are built from formulas too: FGSM's a 10x12 uint8 image (Pixel), resized bilinearly to 8x8 and scaled to
# [-1, 1] as mobilenet_v2.preprocess_input (x / 127.5 - 1); IG's a 6x10 uint8 image made float by
# convert_image_dtype (x / 255) and fitted into 8x8 by resize_with_pad (resized to 4x8, one zero row above, three below).
import math

import numpy as np
import torch
import torch.nn.functional as F


def fl(values):
    return "[" + ", ".join(f"{v:.8g}f" for v in np.asarray(values, dtype=np.float64).ravel()) + "]"





def weight(shape, layer, scale):
    n = int(np.prod(shape))
    return torch.tensor([scale * math.sin(0.7 * k + 1.3 * layer + 0.4) for k in range(n)], dtype=torch.float32).reshape(shape)


conv_k = weight((3, 3, 3, 4), 0, 1.5)   # [kh, kw, in, out]
conv_b = weight((4,), 1, 0.1)
d1_k = weight((36, 6), 2, 0.8)          # [in, out]
d1_b = weight((6,), 3, 0.1)
d2_k = weight((6, 5), 4, 3.0)
d2_b = weight((5,), 5, 0.1)


def logits(x):  # x: [N, 8, 8, 3]
    h = F.conv2d(x.permute(0, 3, 1, 2), conv_k.permute(3, 2, 0, 1), conv_b)
    h = F.max_pool2d(F.relu(h), 2)
    h = h.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras' Flatten reads NHWC
    h = F.relu(h @ d1_k + d1_b)
    return h @ d2_k + d2_b


def margin(x):
    """How far x is from a kink: the smallest |pre-activation| of either ReLU and the smallest gap between a pooling
    window's largest and second largest value. Float32 rounding differs between engines by ~1e-7, so a margin far above
    that keeps every engine on PyTorch's side of each kink (a gradient there would jump)."""
    h = F.conv2d(x.permute(0, 3, 1, 2), conv_k.permute(3, 2, 0, 1), conv_b)
    r = F.relu(h)
    win = r.unfold(2, 2, 2).unfold(3, 2, 2).reshape(*r.shape[:2], 3, 3, 4).sort(-1, descending=True).values
    gap = win[..., 0] - win[..., 1]
    # A window of zeros routes a zero gradient wherever it goes; an exact tie comes from windows over zero pixels only
    # (the bias, bit for bit on every engine), and every engine, as PyTorch, sends its gradient to the first maximum.
    gap = gap[(win[..., 0] > 0) & (gap > 0)].min()
    p = F.max_pool2d(r, 2).permute(0, 2, 3, 1).reshape(x.shape[0], -1) @ d1_k + d1_b
    return min(h.abs().min().item(), gap.item(), p.abs().min().item())


def pixel(h, w, c, height, width, phase):
    return float(np.floor(127.5 + 120 * math.sin(0.9 * h + 0.5 * w * (c + 1) + phase) * math.cos(0.3 * (h - w) + c)))


def image_u8(height, width, phase):
    return torch.tensor([[[pixel(h, w, c, height, width, phase) for c in range(3)] for w in range(width)] for h in range(height)])


def resize(img, height, width):  # tf.image.resize bilinear, antialias False: torch's align_corners=False
    return F.interpolate(img.permute(2, 0, 1)[None], size=(height, width), mode="bilinear", align_corners=False)[0].permute(1, 2, 0)


print("// ---------------------------------------------------------------- FGSM")
raw = image_u8(10, 12, 0.0)
image = (resize(raw, 8, 8) / 127.5 - 1)[None]
print("Image (first 6):", fl(image.reshape(-1)[:6]))
probs = torch.softmax(logits(image), -1)
print("ImageProbs:", fl(probs[0]))
cls = int(probs.argmax(-1))
print("Class:", cls)
label = F.one_hot(torch.tensor([cls]), 5).float()
x = image.clone().requires_grad_(True)
p = torch.softmax(logits(x), -1)
p = p / p.sum(-1, keepdim=True)      # Keras' categorical_crossentropy on probabilities normalizes them first
eps = 1e-7
loss = -(label * torch.log(p.clamp(eps, 1 - eps))).sum(-1).mean()
loss.backward()
print("Loss:", f"{loss.item():.8g}f")
g = x.grad[0]
print("Gradient:", fl(g))
nz = g[g != 0].abs()
print("smallest nonzero |gradient|:", nz.min().item(), "zeros:", int((g == 0).sum()))
sign = torch.sign(g)
for e in [0, 0.01, 0.1, 0.15]:
    adv = torch.clamp(image + e * sign, -1, 1)
    pa = torch.softmax(logits(adv), -1)[0]
    print(f"eps {e}: AdvProbs", fl(pa), "argmax", int(pa.argmax()))

print("// ---------------------------------------------------------------- IG")
raw = image_u8(6, 10, 6.25)
f = raw / 255
fitted = resize(f, 4, 8)
# resize_with_pad: ratio max(10 / 8, 6 / 8) = 1.25, fitted 4.8 x 8 floored to 4 x 8, floor((8 - 4.8) / 2) = 1 row above.
ig_image = torch.cat([torch.zeros(1, 8, 3), fitted, torch.zeros(3, 8, 3)], 0)
print("IgImage row 2 (first 6):", fl(ig_image[2].reshape(-1)[:6]))
baseline = torch.zeros(8, 8, 3)
pi = torch.softmax(logits(ig_image[None]), -1)[0]
print("IgProbs:", fl(pi))
target = int(pi.argmax())
print("Target:", target)


def interpolate(baseline, image, alphas):
    return baseline[None] + alphas[:, None, None, None] * (image[None] - baseline[None])


def compute_gradients(images, target):
    images = images.clone().requires_grad_(True)
    torch.softmax(logits(images), -1)[:, target].sum().backward()
    return images.grad


alphas = torch.linspace(0, 1, 51)
interp = interpolate(baseline, ig_image, alphas)
path = compute_gradients(interp, target)
print("PathProbs (alphas 0, 10, ..., 50):", fl(torch.softmax(logits(interp), -1)[::10, target]))
print("PathGradMeans (alphas 0, 10, ..., 50):", fl(path.mean(dim=(1, 2, 3))[::10]))
ig = ((path[:-1] + path[1:]) / 2).mean(0)
attr = (ig_image - baseline) * ig
print("Attributions (row 3):", fl(attr[3]))
print("AttributionSum:", f"{attr.sum().item():.8g}f")
fb = torch.softmax(logits(baseline[None]), -1)[0, target]
fi = pi[target]
print("f(image) - f(baseline):", f"{(fi - fb).item():.8g}f", "f(baseline):", f"{fb.item():.8g}f")
mask = attr.abs().sum(-1)
print("Mask:", fl(mask))
for m in [240, 55]:
    a = torch.linspace(0, 1, m + 1)
    grads = torch.cat([compute_gradients(interpolate(baseline, ig_image, a[i:i + 32]), target) for i in range(0, m + 1, 32)])
    at = (ig_image - baseline) * ((grads[:-1] + grads[1:]) / 2).mean(0)
    print(f"m_steps {m}: AttributionSum", f"{at.sum().item():.8g}f")
print("margins: FGSM", margin(torch.cat([torch.clamp(image + e * sign, -1, 1) for e in [0, 0.01, 0.1, 0.15]])),
      "IG", margin(interpolate(baseline, ig_image, torch.cat([torch.linspace(0, 1, m + 1)[1:] for m in [50, 55, 240]]))))

print("// ---------------------------------------------------------------- imagenet_utils.preprocess_input")
# Keras' three modes on a 2x2 uint8 RGB image (pixel 0 of image_u8(2, 2, 0.5), then the others), as its NumPy path.
px = image_u8(2, 2, 0.5).reshape(-1, 3).double()
print("Pixels:", px.reshape(-1).tolist())
print("tf:", fl(px / 127.5 - 1))
print("torch:", fl((px / 255 - torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64)) / torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64)))
print("caffe:", fl(px.flip(-1) - torch.tensor([103.939, 116.779, 123.68], dtype=torch.float64)))
