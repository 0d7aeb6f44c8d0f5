"""The PyTorch peer of TrainingStepPhases.java: the same model, random batch and SGD step, each phase
(forward, loss, backward, optimizer) timed over STEPS steps after 5 of warm-up; one key=value line.

Usage: python3 peer_training_step.py ARCHITECTURE BATCH STEPS THREADS
"""
import sys
import time

import torch
from torch import nn

from peer_throughput import cnn, resnet18


def main():
    architecture, batch, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = {"cnn-small": lambda: cnn([32, 64, 128], False), "cnn-large": lambda: cnn([64, 128, 256], True),
             "resnet18": resnet18}[architecture]()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    model.train()
    phases = [0.0] * 4
    for step in range(steps + 5):
        if step == 5:
            phases = [0.0] * 4
        t0 = time.perf_counter()
        optimizer.zero_grad()
        predictions = model(x)
        t1 = time.perf_counter()
        loss = loss_fn(predictions, y)
        loss.item()
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        optimizer.step()
        t4 = time.perf_counter()
        for i, (a, b) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, t4))):
            phases[i] += b - a
    total = sum(phases)
    print(f"engine=pytorch-{torch.__version__} architecture={architecture} batch={batch} steps={steps} "
          + " ".join(f"{name}_ms={1000 * t / steps:.2f}" for name, t in zip(("forward", "loss", "backward", "optimizer"), phases))
          + f" step_ms={1000 * total / steps:.2f} img_s={batch * steps / total:.1f}")


if __name__ == "__main__":
    main()
