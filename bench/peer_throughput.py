"""The PyTorch peer of ModelThroughput.java: the same cnn-small (or cnn-large) in PyTorch, the same
random 28x28 data, batch sizes and thread count, the same warm-up; prints one key=value line.

Usage: python3 peer_throughput.py ARCHITECTURE TRAIN_BATCH INFER_BATCH TRAIN_IMAGES INFER_IMAGES THREADS
"""
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
    model = cnn([32, 64, 128], False) if architecture == "cnn-small" else cnn([64, 128, 256], True)
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
    start = time.perf_counter()
    epoch()
    train_rate = train_images / (time.perf_counter() - start)

    model.eval()
    batch = torch.randn(infer_batch, 1, 28, 28)
    with torch.no_grad():
        for _ in range(5):
            torch.softmax(model(batch), 1)
        start, done = time.perf_counter(), 0
        while done < infer_images:
            torch.softmax(model(batch), 1).numpy()
            done += infer_batch
        infer_rate = done / (time.perf_counter() - start)
    print(f"engine=pytorch-{torch.__version__} architecture={architecture} threads={threads} train_batch={train_batch} "
          f"infer_batch={infer_batch} train_img_s={train_rate:.0f} infer_img_s={infer_rate:.0f}")


if __name__ == "__main__":
    main()
