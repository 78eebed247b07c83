"""PyTorch GPU peer for NeuralFlow's CUDA training step: ms per step of two MLPs.

One step = forward + loss + backward + optimizer.step + zero_grad, on random float32 inputs
already on the device (nothing is copied in the loop, nothing is read back):
  workshop_mlp        Flatten 28x28 -> Dense(128, relu) -> Dense(10) logits
  mlp_784_512_512_10  784 -> Dense(512, relu) -> Dense(512, relu) -> Dense(10) logits
both with sparse categorical cross-entropy from logits (batch mean), Adam(1e-3) with Keras's
epsilon 1e-7 (NeuralFlow follows Keras), Keras initialisation (Glorot-uniform kernels, zero
biases) as in ../../shared/peers, full float32 GEMMs (TF32 off, as NeuralFlow's default).
Warm-up 20 steps, then 5 runs of --steps steps with torch.cuda.synchronize() around each run;
prints one JSON object per model with the median ms/step and every run's ms/step.

  python3 benchmarks/gpu/torch_steps.py                  # cuda when available
  python3 benchmarks/gpu/torch_steps.py --device cpu --steps 20
"""
import argparse, json, statistics, time
import torch

WARMUP, RUNS = 20, 5


def dense(n_in, n_out):
    layer = torch.nn.Linear(n_in, n_out)
    torch.nn.init.xavier_uniform_(layer.weight); torch.nn.init.zeros_(layer.bias)
    return layer


def models():
    yield 'workshop_mlp', (28, 28), torch.nn.Sequential(
        torch.nn.Flatten(), dense(784, 128), torch.nn.ReLU(), dense(128, 10))
    yield 'mlp_784_512_512_10', (784,), torch.nn.Sequential(
        dense(784, 512), torch.nn.ReLU(), dense(512, 512), torch.nn.ReLU(), dense(512, 10))


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def time_model(model, x, y, device, steps):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    lossf = torch.nn.CrossEntropyLoss()

    def step():
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)  # the 2.x default, spelled out so 1.x does the same

    for _ in range(WARMUP):
        step()
    runs = []
    for _ in range(RUNS):
        sync(device)
        start = time.perf_counter()
        for _ in range(steps):
            step()
        sync(device)
        runs.append((time.perf_counter() - start) * 1000 / steps)
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--steps', type=int, default=200, help='timed steps per run (default 200)')
    ap.add_argument('--batch', type=int, default=128)
    args = ap.parse_args()
    device = torch.device(args.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        ap.error(f'--device {args.device}: this PyTorch {torch.__version__} sees no CUDA device')
    if device.type == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = False
        name = torch.cuda.get_device_name(device)
    else:
        name = f'cpu, {torch.get_num_threads()} threads'
    torch.manual_seed(0)
    for label, shape, model in models():
        model = model.to(device)
        x = torch.rand(args.batch, *shape, device=device)
        y = torch.randint(0, 10, (args.batch,), device=device)
        runs = time_model(model, x, y, device, args.steps)
        print(json.dumps({'model': label, 'framework': 'pytorch', 'device': args.device, 'batch': args.batch,
                          'ms_per_step': round(statistics.median(runs), 4), 'runs_ms': [round(r, 4) for r in runs],
                          'device_name': name, 'torch': torch.__version__}), flush=True)


if __name__ == '__main__':
    main()
