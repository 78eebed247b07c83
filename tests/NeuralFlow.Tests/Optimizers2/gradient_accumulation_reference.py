# Reference for GradientAccumulationTests: Keras 3's gradient_accumulation_steps=2 on a Dense(1) regression trained
# by fit(batch_size=2, shuffle=False): PyTorch's usual accumulation (each micro-batch's mean loss / 2, summed, then
# one step), which is Keras' (g1 + g2) / 2. Run: /usr/bin/python3 gradient_accumulation_reference.py
import torch
x = torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0], [0.0, -0.5], [2.0, 0.5], [-1.25, -0.25], [0.75, -1.5]], dtype=torch.float64)
y = torch.tensor([[1.0], [2.5], [-0.5], [1.75], [0.25], [3.0], [-1.0], [0.5]], dtype=torch.float64)
for name, make in [("sgd", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
                   ("adam", lambda p: torch.optim.Adam(p, lr=0.1, eps=1e-7))]:
    w = torch.tensor([[0.5], [-0.3]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.1], dtype=torch.float64, requires_grad=True)
    opt = make([w, b])
    for epoch in range(2):
        for i in range(0, 8, 2):
            loss = ((x[i:i + 2] @ w + b - y[i:i + 2]) ** 2).mean() / 2
            loss.backward()
            if (i // 2) % 2 == 1:
                opt.step(); opt.zero_grad()
    print(name, "kernel", [float(v) for v in w.detach().flatten()], "bias", float(b.detach()[0]))
