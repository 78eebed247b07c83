"""Reference values for ExamplesDebuggingTipsTests: keras.io debugging_tips' first- and
second-order gradients (tape2.gradient(dl_dw, vars): the gradient of the sum of every entry
of every first-order gradient) of sparse categorical cross-entropy through Dense(3, relu) then
Dense(2, softmax), with the fixed weights and batch below. Keras computes softmax-then-cross-
entropy from the logits; torch's log_softmax does the same. Run: /usr/bin/python3 debugging_tips_references.py"""
import torch

torch.set_default_dtype(torch.float64)
x = torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0]])
y = torch.tensor([0, 1, 1, 0])
w1 = torch.tensor([[0.3, -0.2, 0.8], [0.5, 0.4, -0.6]], requires_grad=True)
b1 = torch.tensor([0.1, 0.0, -0.1], requires_grad=True)
w2 = torch.tensor([[0.7, -0.4], [-0.3, 0.9], [0.2, 0.6]], requires_grad=True)
b2 = torch.tensor([0.05, -0.05], requires_grad=True)
params = [w1, b1, w2, b2]
logits = torch.relu(x @ w1 + b1) @ w2 + b2
loss = torch.nn.functional.cross_entropy(logits, y)
first = torch.autograd.grad(loss, params, create_graph=True)
second = torch.autograd.grad(sum(g.sum() for g in first), params, allow_unused=True)
print("loss", float(loss))
for name, g1, g2 in zip(["w1", "b1", "w2", "b2"], first, second):
    print(name, "first", [round(float(v), 8) for v in g1.flatten()])
    print(name, "second", [round(float(v), 8) for v in (g2 if g2 is not None else torch.zeros_like(g1)).flatten()])
