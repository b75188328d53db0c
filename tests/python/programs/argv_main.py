# What a program sees of how it was started: under aliasguard, what plain python3 gives it.
import os
import sys

import torch

print(sys.argv)
print(__name__, sys.modules["__main__"].__file__ == __file__)
print(sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
print(torch.ones(2).sum().item())
sys.exit(int(sys.argv[1]))
