"""The PyTorch peer of ModelThroughput.java: the same cnn-small, cnn-large or resnet18 in PyTorch, the same
random 28x28 data, batch sizes and thread count, the same warm-up; prints one key=value line.

Usage: python3 peer_throughput.py ARCHITECTURE TRAIN_BATCH INFER_BATCH TRAIN_IMAGES INFER_IMAGES THREADS
"""
import os
import sys
import time

import torch
from torch import nn


def conv_bn_relu(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


class Residual(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.branch = nn.Sequential(nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                                    nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width))

    def forward(self, x):
        return torch.relu(self.branch(x) + x)


class Basic(nn.Module):
    """relu(branch(x) + shortcut(x)): Architectures.basicBranch with its shortcut."""

    def __init__(self, cin, width, stride):
        super().__init__()
        self.branch = nn.Sequential(nn.Conv2d(cin, width, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(width),
                                    nn.ReLU(), nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width))
        self.shortcut = nn.Identity() if stride == 1 and cin == width else nn.Sequential(
            nn.Conv2d(cin, width, 1, stride=stride, bias=False), nn.BatchNorm2d(width))

    def forward(self, x):
        return torch.relu(self.branch(x) + self.shortcut(x))


def resnet18(classes=10):
    """Architectures.resnet for images of 64 px or less: a 3x3 stem, no max-pool (CIFAR-style)."""
    layers, cin = conv_bn_relu(1, 64), 64
    for stage in range(4):
        width = 64 << stage
        for b in range(2):
            layers.append(Basic(cin, width, 2 if stage > 0 and b == 0 else 1))
            cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def cnn(widths, residual, classes=10):
    layers, cin = [], 1
    for stage, width in enumerate(widths):
        layers += conv_bn_relu(cin, width)
        if residual:
            layers.append(Residual(width))
        if stage < len(widths) - 1:
            layers.append(nn.MaxPool2d(2))
        cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def main():
    architecture = sys.argv[1] if len(sys.argv) > 1 else "cnn-small"
    train_batch, infer_batch = int(sys.argv[2]), int(sys.argv[3])
    train_images, infer_images, threads = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    models = {"cnn-small": lambda: cnn([32, 64, 128], False), "cnn-large": lambda: cnn([64, 128, 256], True),
              "resnet18": resnet18}
    model = models[architecture]()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(train_images, 1, 28, 28)
    y = torch.randint(0, 10, (train_images,))

    def epoch():
        model.train()
        for i in range(0, train_images, train_batch):
            optimizer.zero_grad()
            loss = loss_fn(model(x[i:i + train_batch]), y[i:i + train_batch])
            loss.backward()
            optimizer.step()

    epoch()  # warm-up, as the Java side
    start, cpu = time.perf_counter(), time.process_time()
    epoch()
    train_rate = train_images / (time.perf_counter() - start)
    train_cpu_rate = train_images / (time.process_time() - cpu)

    model.eval()
    batch = torch.randn(infer_batch, 1, 28, 28)
    if os.environ.get("PEER_CHANNELS_LAST") == "1":
        # The same lever the Java side uses for inference: channels-last weights (PyTorch's
        # memory-format API), so the peer is measured with it too when asked.
        model = model.to(memory_format=torch.channels_last)
    with torch.no_grad():
        for _ in range(5):
            torch.softmax(model(batch), 1)
        start, cpu, done = time.perf_counter(), time.process_time(), 0
        while done < infer_images:
            torch.softmax(model(batch), 1).numpy()
            done += infer_batch
        infer_rate = done / (time.perf_counter() - start)
        infer_cpu_rate = done / (time.process_time() - cpu)
    layout = "channels_last" if os.environ.get("PEER_CHANNELS_LAST") == "1" else "nchw"
    print(f"engine=pytorch-{torch.__version__} infer_layout={layout} architecture={architecture} threads={threads} train_batch={train_batch} "
          f"infer_batch={infer_batch} train_img_s={train_rate:.1f} infer_img_s={infer_rate:.1f} "
          f"train_img_cpu_s={train_cpu_rate:.1f} infer_img_cpu_s={infer_cpu_rate:.1f}")


if __name__ == "__main__":
    main()
