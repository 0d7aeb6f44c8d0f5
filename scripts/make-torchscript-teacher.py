#!/usr/bin/python3
"""Makes the TorchScript teacher of the worker's tests and the PyTorch outputs it is checked against.

Writes into worker/src/test/resources/torchscript/ (or the folder given as the first argument):

  teacher.pt                      a small CNN trained on TinyDataset's task (8x8 grey images of 3
                                  classes, class c a bright band at rows 2c+1..2c+2), traced with
                                  torch.jit.trace; it takes 3x8x8 images normalised per channel with
                                  MEAN and STD below and returns logits
  pool-images-idx3-ubyte.gz       48 fresh 8x8 grey images of the same task (the fixed inputs)
  pool-labels-idx1-ubyte.gz       their classes (the pool's hidden labels)
  expected.json                   the declared input and, per image, PyTorch's logits and softmax

The worker reads the grey pool at the teacher's declared geometry (grey copied to 3 channels, as
ImageGeometry does) and normalises as declared; its scores must match expected.json. CI has no
Python: the outputs are checked in, and this script is how to make them again:

  apt-get install -y python3-torch && /usr/bin/python3 scripts/make-torchscript-teacher.py
"""
import gzip
import json
import os
import struct
import sys

import torch

SIZE = 8
CLASSES = 3
CHANNELS = 3
# Deliberately unlike the run's own normalisation, so a worker that ignored the declared values fails.
MEAN = [0.1, 0.2, 0.3]
STD = [0.3, 0.25, 0.2]
POOL = 48
TEMPERATURE = 4.0


def images(count, generator):
    """TinyDataset's task: noise in [0, 70) plus 170 on the class's band, clamped to 255."""
    labels = torch.randint(0, CLASSES, (count,), generator=generator)
    pixels = torch.randint(0, 70, (count, SIZE, SIZE), generator=generator)
    rows = torch.arange(SIZE).view(1, SIZE, 1)
    band = (rows >= 2 * labels.view(-1, 1, 1) + 1) & (rows < 2 * labels.view(-1, 1, 1) + 3)
    pixels = torch.clamp(pixels + 170 * band, max=255).to(torch.uint8)
    return pixels, labels


def preprocess(pixels):
    """uint8 N x 8 x 8 grey -> float32 N x 3 x 8 x 8, (x/255 - mean[c]) / std[c] computed in double
    and rounded once, as the worker's normalisation table does."""
    grey = pixels.to(torch.float64).unsqueeze(1).repeat(1, CHANNELS, 1, 1) / 255.0
    mean = torch.tensor(MEAN, dtype=torch.float64).view(1, CHANNELS, 1, 1)
    std = torch.tensor(STD, dtype=torch.float64).view(1, CHANNELS, 1, 1)
    return ((grey - mean) / std).to(torch.float32)


class BandNet(torch.nn.Module):
    """conv-bn-relu-pool then a linear classifier: batch-norm makes inference mode matter. The
    logits are divided by a temperature so the probabilities stay well inside (0, 1): a saturated
    softmax (1.0 and 1e-8) would hide a wrong normalisation from a 1e-4 comparison."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(CHANNELS, 6, 3, padding=1),
            torch.nn.BatchNorm2d(6),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2))
        self.classifier = torch.nn.Linear(6 * (SIZE // 2) * (SIZE // 2), CLASSES)
        self.register_buffer("temperature", torch.tensor(TEMPERATURE))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1)) / self.temperature


def idx(pixels, labels):
    count = pixels.shape[0]
    images_file = struct.pack(">iiii", 0x803, count, SIZE, SIZE) + bytes(pixels.flatten().tolist())
    labels_file = struct.pack(">ii", 0x801, count) + bytes(labels.tolist())
    return images_file, labels_file


def write_gzip(path, data):
    # mtime=0: the same bytes on every run of the script.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src", "test", "resources", "torchscript")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(13)
    generator = torch.Generator().manual_seed(20190516)

    train_pixels, train_labels = images(600, generator)
    train = preprocess(train_pixels)
    net = BandNet()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    net.train()
    for _ in range(2):
        for start in range(0, train.shape[0], 30):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(train[start:start + 30]), train_labels[start:start + 30])
            loss.backward()
            optimizer.step()
    net.eval()

    pool_pixels, pool_labels = images(POOL, generator)
    pool = preprocess(pool_pixels)
    with torch.no_grad():
        traced = torch.jit.trace(net, pool[:4])
        logits = traced(pool)
        probabilities = torch.softmax(logits, dim=1)
    accuracy = (probabilities.argmax(1) == pool_labels).float().mean().item()
    top = probabilities.max(1).values
    traced.save(os.path.join(out, "teacher.pt"))

    images_file, labels_file = idx(pool_pixels, pool_labels)
    write_gzip(os.path.join(out, "pool-images-idx3-ubyte.gz"), images_file)
    write_gzip(os.path.join(out, "pool-labels-idx1-ubyte.gz"), labels_file)
    expected = {
        "made": "scripts/make-torchscript-teacher.py with torch " + torch.__version__,
        "imageSize": SIZE,
        "channels": CHANNELS,
        "mean": MEAN,
        "std": STD,
        "classes": CLASSES,
        "accuracy": accuracy,
        "logits": [[float(v) for v in row] for row in logits.tolist()],
        "probabilities": [[float(v) for v in row] for row in probabilities.tolist()],
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("wrote", out, "- teacher accuracy on the", POOL, "pool images:", accuracy,
          "- top probability from %.3f to %.3f" % (top.min().item(), top.max().item()))


if __name__ == "__main__":
    main()
