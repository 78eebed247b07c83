# Reference numbers for TutorialTextClassificationRnnTests: the tutorial's model after the encoder,
# Embedding(mask_zero=True) -> Bidirectional(LSTM) -> Dense(relu) -> Dense(1), with the deterministic weights of
# UserProbe21/SineWeights.cs (value k of weight v, Keras layout: 0.3 sin(0.37 k + 1.1 v), biases 0.05 sin(...)).
# Masking: a padded sequence is run at its true length (what Keras' mask gives a Bidirectional LSTM).
# Run with /usr/bin/python3 (PyTorch 1.13).
import math
import torch

torch.set_default_dtype(torch.float64)
VOCAB, EMBED, UNITS, HIDDEN = 20, 4, 3, 5


def weight(v, shape):
    scale = 0.05 if len(shape) == 1 else 0.3
    n = math.prod(shape)
    return torch.tensor([scale * math.sin(0.37 * k + 1.1 * v) for k in range(n)]).reshape(shape)


embedding = weight(0, (VOCAB, EMBED))


def lstm(first):
    cell = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
    with torch.no_grad():
        # Keras kernel (in, 4u), gates i, f, c, o = PyTorch's i, f, g, o; one bias (b_hh zero).
        cell.weight_ih_l0.copy_(weight(first, (EMBED, 4 * UNITS)).T)
        cell.weight_hh_l0.copy_(weight(first + 1, (UNITS, 4 * UNITS)).T)
        cell.bias_ih_l0.copy_(weight(first + 2, (4 * UNITS,)))
        cell.bias_hh_l0.zero_()
    return cell


forward, backward = lstm(1), lstm(4)
dense1_kernel, dense1_bias = weight(7, (2 * UNITS, HIDDEN)), weight(8, (HIDDEN,))
dense2_kernel, dense2_bias = weight(9, (HIDDEN, 1)), weight(10, (1,))


def model(ids):
    ids = [i for i in ids if i != 0]   # mask_zero: the padding is not read
    x = embedding[torch.tensor(ids)].unsqueeze(0)
    _, (h_forward, _) = forward(x)
    _, (h_backward, _) = backward(torch.flip(x, [1]))
    h = torch.cat([h_forward[0, 0], h_backward[0, 0]])
    h = torch.relu(h @ dense1_kernel + dense1_bias)
    return (h @ dense2_kernel + dense2_bias).item()


for seq in ([3, 7, 1, 12, 5], [9, 2, 0, 0, 0]):
    print(seq, repr(model(seq)))
