# Checking turned on from code, for notebooks and programs run by plain python3:
# `with aliasguard.checking():` checks the block only, aliasguard.enable() from then on; a
# snapshot taken before checking starts is known. state_dict(keep_vars=True) returns the
# parameters themselves: not a snapshot.
import aliasguard
import torch

torch.manual_seed(0)
model = torch.nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
early = model.state_dict()


def stale_restore():
    best = model.state_dict()
    opt.zero_grad()
    model(torch.ones(3, 4)).sum().backward()
    opt.step()
    model.load_state_dict(best)


stale_restore()  # unchecked-call
with aliasguard.checking():
    stale_restore()  # checked-call
    params = model.state_dict(keep_vars=True)
    opt.step()
    print(f"{float(params['weight'].sum()):.4f}")  # keep-vars-read
    print(f"{float(early['bias'].sum()):.4f}")  # early-read
print("enabled inside the block only:", aliasguard.enabled())
aliasguard.enable()
stale_restore()  # enabled-call
print("reported:", aliasguard.violation_count())
