# Reference values for TutorialActorCriticTests (run with /usr/bin/python3: PyTorch 1.13). The tutorial
# reinforcement_learning/actor_critic.ipynb's model, expected returns, loss and Adam step, on a fixed
# 5-step episode (states 0.5 sin(0.7 t + k), reward 1 each step, the actions given instead of drawn) and
# fixed weights (kernel[i, j] = 0.3 sin(i * out + j + 1), bias[j] = 0.1 cos(j), Keras' [in, out] layout).
import numpy as np, torch
torch.set_printoptions(precision=10)
H, A, STEPS, GAMMA = 8, 2, 5, 0.99
eps = float(np.finfo(np.float32).eps)

def dense(n_in, n_out):
    lin = torch.nn.Linear(n_in, n_out)
    k = np.array([[0.3 * np.sin(i * n_out + j + 1) for j in range(n_out)] for i in range(n_in)], dtype=np.float32)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(k.T))
        lin.bias.copy_(torch.tensor([0.1 * np.cos(j) for j in range(n_out)], dtype=torch.float32))
    return lin

common, actor, critic = dense(4, H), dense(H, A), dense(H, 1)
params = [common.weight, common.bias, actor.weight, actor.bias, critic.weight, critic.bias]
states = torch.tensor([[0.5 * np.sin(0.7 * t + k) for k in range(4)] for t in range(STEPS)], dtype=torch.float32)
actions = [0, 1, 1, 0, 1]

def expected_return(rewards, standardize=True):
    returns, discounted = [], torch.tensor(0.0)
    for r in reversed(rewards):
        discounted = r + GAMMA * discounted
        returns.append(discounted)
    returns = torch.stack(returns).flip(0)
    if standardize:
        returns = (returns - returns.mean()) / (returns.std(unbiased=False) + eps)
    return returns

def episode_loss():
    probs, values = [], []
    for t in range(STEPS):
        h = torch.relu(common(states[t:t + 1]))
        logits, value = actor(h), critic(h)
        probs.append(torch.softmax(logits, -1)[0, actions[t]])
        values.append(value.squeeze())
    rewards = torch.ones(STEPS)
    returns = expected_return(rewards)
    p, v, ret = [x.unsqueeze(1) for x in (torch.stack(probs), torch.stack(values), returns)]
    advantage = ret - v
    actor_loss = -(torch.log(p) * advantage).sum()
    critic_loss = torch.nn.functional.huber_loss(v, ret, reduction='sum', delta=1.0)
    return actor_loss + critic_loss, p, v, ret

print('returns unstandardized', expected_return(torch.ones(STEPS), standardize=False).tolist())
print('returns', expected_return(torch.ones(STEPS)).tolist())
loss, p, v, ret = episode_loss()
print('probs', p.squeeze(1).tolist())
print('values', v.squeeze(1).tolist())
print('loss', loss.item())
opt = torch.optim.Adam(params, lr=0.01, eps=1e-7)
opt.zero_grad(); loss.backward()
print('critic bias grad', critic.bias.grad.tolist())
opt.step()
print('loss after one step', episode_loss()[0].item())
