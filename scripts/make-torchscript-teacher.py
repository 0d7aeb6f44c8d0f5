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
import os
import sys

import torch

from band_task import CLASSES, SIZE, BandNet, idx, images, normalised, train, write_gzip, write_json

CHANNELS = 3
# Deliberately unlike the run's own normalisation, so a worker that ignored the declared values fails.
MEAN = [0.1, 0.2, 0.3]
STD = [0.3, 0.25, 0.2]
POOL = 48
TEMPERATURE = 4.0


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src", "test", "resources", "torchscript")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(13)
    generator = torch.Generator().manual_seed(20190516)

    train_pixels, train_labels = images(600, generator)
    net = BandNet(CHANNELS, 6, TEMPERATURE)
    train(net, normalised(train_pixels, MEAN, STD), train_labels, batch=30, epochs=2)

    pool_pixels, pool_labels = images(POOL, generator)
    pool = normalised(pool_pixels, MEAN, STD)
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
    write_json(os.path.join(out, "expected.json"), {
        "made": "scripts/make-torchscript-teacher.py with torch " + torch.__version__,
        "imageSize": SIZE,
        "channels": CHANNELS,
        "mean": MEAN,
        "std": STD,
        "classes": CLASSES,
        "accuracy": accuracy,
        "logits": [[float(v) for v in row] for row in logits.tolist()],
        "probabilities": [[float(v) for v in row] for row in probabilities.tolist()],
    })
    print("wrote", out, "- teacher accuracy on the", POOL, "pool images:", accuracy,
          "- top probability from %.3f to %.3f" % (top.min().item(), top.max().item()))


if __name__ == "__main__":
    main()
