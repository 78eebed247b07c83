"""Reference values for GuideBasicTrainingLoopsTests and GuideBasicsTests (TensorFlow's basics and
basic_training_loops guides in C#), from PyTorch 1.13. Run with /usr/bin/python3.

The guides add tf.random.normal noise; here the noise is 0.5 * sin(7 x), so that both sides see the
same data. Float32 throughout, as the guides.
"""
import torch

torch.set_printoptions(precision=8)
x = torch.linspace(-2, 2, 201, dtype=torch.float32)
noise = 0.5 * torch.sin(7 * x)

# basic_training_loops: y = w x + b from w = 5, b = 0, full-batch steps of learning rate 0.1.
y = x * 3.0 + 2.0 + noise
w = torch.tensor(5.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
print("starting loss: %.8f" % torch.mean(torch.square(y - (w * x + b))).item())
losses, ws, bs = [], [], []
for epoch in range(10):
    loss = torch.mean(torch.square(y - (w * x + b)))
    dw, db = torch.autograd.grad(loss, [w, b])
    with torch.no_grad():
        w -= 0.1 * dw
        b -= 0.1 * db
    ws.append(w.item())
    bs.append(b.item())
    losses.append(torch.mean(torch.square(y - (w * x + b))).item())
print("w after each epoch:", ['%.7f' % v for v in ws])
print("b after each epoch:", ['%.7f' % v for v in bs])
print("loss after each epoch:", ['%.7f' % v for v in losses])

# basics: the quadratic model from w_q, w_l, b = 0.5, 1.5, 2.5, batches of 32 in order (no shuffle),
# learning rate 0.01, 10 epochs; the loss over all the data after each epoch.
yq = x ** 2 + 2 * x - 5 + noise
params = [torch.tensor(v, requires_grad=True) for v in (0.5, 1.5, 2.5)]
def quad(t):
    return params[0] * t ** 2 + params[1] * t + params[2]
epoch_losses = []
for epoch in range(10):
    for i in range(0, 201, 32):
        xb, yb = x[i:i + 32], yq[i:i + 32]
        batch_loss = torch.mean(torch.square(quad(xb) - yb))
        grads = torch.autograd.grad(batch_loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= 0.01 * g
    with torch.no_grad():
        epoch_losses.append(torch.mean(torch.square(quad(x) - yq)).item())
print("quadratic: params after 10 epochs:", ['%.7f' % p.item() for p in params])
print("quadratic: loss after each epoch:", ['%.7f' % v for v in epoch_losses])
