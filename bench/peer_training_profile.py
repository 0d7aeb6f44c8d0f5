"""peer_training_step.py under PyTorch's profiler, written as a Chrome trace (warm-up steps included)
for op_selftime.py to set beside TrainingStepProfile.java's trace of the same steps in DJL.

Usage: python3 peer_training_profile.py TRACE.json ARCHITECTURE BATCH STEPS THREADS
"""
import sys

import torch

import peer_training_step


if __name__ == "__main__":
    trace = sys.argv.pop(1)
    with torch.autograd.profiler.profile() as profile:
        peer_training_step.main()
    profile.export_chrome_trace(trace)
