# A target network for off-policy RL: hard copies with load_state_dict(net.state_dict()) and
# Polyak averaging of the parameters every step, as DQN/DDPG/TD3 code does (stable-baselines3's
# polyak_update writes with out= into target_param.data; Spinning Up's with mul_/add_ on
# .data). All intended updates: silent.
import copy

import torch

torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
target = copy.deepcopy(net)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
tau = 0.05
states, rewards = torch.randn(32, 4), torch.randn(32, 2)
for step in range(20):
    with torch.no_grad():
        td_target = rewards + 0.99 * target(states)
    loss = torch.nn.functional.smooth_l1_loss(net(states), td_target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        if step % 10 == 9:
            target.load_state_dict(net.state_dict())
        elif step % 2 == 0:
            for p, tp in zip(net.parameters(), target.parameters()):
                torch.mul(tp.data, 1 - tau, out=tp.data)
                torch.add(tp.data, p.data, alpha=tau, out=tp.data)
        else:
            for p, tp in zip(net.parameters(), target.parameters()):
                tp.data.mul_(1 - tau)
                tp.data.add_(tau * p.data)
print(f"target drift {sum(float((p - tp).abs().sum()) for p, tp in zip(net.parameters(), target.parameters())):.4f}")
