#!/usr/bin/python3
"""Trains a small PyTorch CNN on 100 labeled Fashion-MNIST images per class and exports it as a
TorchScript teacher for examples/fashion-mnist-torchscript-teacher.yaml:

  apt-get install -y python3-torch dataset-fashion-mnist
  /usr/bin/python3 scripts/export-fashion-mnist-teacher.py [DATA_DIR] [OUT.pt]

DATA_DIR defaults to /usr/share/datasets/fashion-mnist, OUT.pt to /tmp/semisup/fashion-mnist-teacher.pt.

It stands for a teacher you already have: any network works if it is exported the same way, in
eval mode, with torch.jit.trace on an example batch of the input it takes, and returns logits.
The manifest's spec.teacher.input must state that input: here 1 x 28 x 28 grey images,
normalised as (x/255 - 0.286) / 0.353. (The 100 images per class are the first of each class in
the training file, not necessarily the run's own labeled subset; a teacher trained elsewhere
would not share it either.)
"""
import gzip
import os
import struct
import sys

import torch

MEAN = 0.286
STD = 0.353
PER_CLASS = 100


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">ii", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">ii", data[8:16])
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).view(count, 1, rows, cols)
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).view(count).long()


def normalise(pixels):
    return (pixels.float() / 255.0 - MEAN) / STD


class SmallCnn(torch.nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        def block(inputs, outputs):
            return [torch.nn.Conv2d(inputs, outputs, 3, padding=1), torch.nn.BatchNorm2d(outputs), torch.nn.ReLU()]
        self.features = torch.nn.Sequential(
            *block(1, 32), torch.nn.MaxPool2d(2),
            *block(32, 64), torch.nn.MaxPool2d(2),
            *block(64, 128), torch.nn.AdaptiveAvgPool2d(1))
        self.classifier = torch.nn.Linear(128, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/semisup/fashion-mnist-teacher.pt"
    torch.manual_seed(1)
    images = read_idx(os.path.join(data, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data, "train-labels-idx1-ubyte.gz"))
    chosen = torch.cat([torch.nonzero(labels == c).flatten()[:PER_CLASS] for c in range(10)])
    x, y = normalise(images[chosen]), labels[chosen]

    net = SmallCnn()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    epochs = 30
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    net.train()
    for _ in range(epochs):
        order = torch.randperm(x.shape[0])
        for start in range(0, x.shape[0], 32):
            batch = order[start:start + 32]
            inputs = x[batch]
            flip = torch.rand(inputs.shape[0]) < 0.5
            inputs = torch.where(flip.view(-1, 1, 1, 1), inputs.flip(3), inputs)
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(inputs), y[batch]).backward()
            optimizer.step()
        schedule.step()

    net.eval()
    test_images = normalise(read_idx(os.path.join(data, "t10k-images-idx3-ubyte.gz")))
    test_labels = read_idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz"))
    with torch.no_grad():
        traced = torch.jit.trace(net, test_images[:8])
        correct = sum((traced(test_images[i:i + 1000]).argmax(1) == test_labels[i:i + 1000]).sum().item()
                      for i in range(0, test_images.shape[0], 1000))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    traced.save(out)
    print("wrote %s: test accuracy %.4f; declare spec.teacher.input {imageSize: 28, channels: 1, mean: [%s], std: [%s]}"
          % (out, correct / test_images.shape[0], MEAN, STD))


if __name__ == "__main__":
    main()
