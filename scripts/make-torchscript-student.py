#!/usr/bin/python3
"""Makes the TorchScript student of the worker's tests: a step folder as a torch-ddp trainer writes it.

Writes into worker/src/test/resources/torchscript-student/ (or the folder given as the first argument):

  step/model.pt                   a small CNN for TinyDataset's task (8x8 grey images of 3 classes,
                                  class c a bright band at rows 2c+1..2c+2), trained only briefly so it
                                  is right on most images, not all (an accuracy that tells models
                                  apart), traced with torch.jit.trace in eval mode; it takes 1x8x8
                                  images normalised with MEAN and STD below and returns logits
  step/model-card.json            the worker's model card, parameters {file: model.pt, format: torchscript}
  step/history.json, step/metrics.json, step/_SUCCESS   as the trainer contract lists them
  images-idx3-ubyte.gz            60 fresh images of the task, bands of any brightness (predict's labeled
                                  set, a round's pool)
  labels-idx1-ubyte.gz            their classes
  expected.json                   per image PyTorch's logits and softmax, and the accuracy on them

The card's MEAN and STD are unlike the tiny run's own (0.5, 0.25): a worker that normalised with
the run's values instead of the card's would score other probabilities. CI has no need of Python
for these: they are checked in, and this script is how to make them again:

  apt-get install -y python3-torch && /usr/bin/python3 scripts/make-torchscript-student.py
"""
import os
import sys

import torch

from band_task import CLASSES, SIZE, BandNet, idx, images, normalised, train, write_gzip, write_json

CHANNELS = 1
MEAN = [0.3]
STD = [0.4]
IMAGES = 60
# The labeled images' faintest band: some are hard, so the accuracy is no trivial 1.0.
FAINTEST = 0
TEMPERATURE = 1.0
STEP = "finetune"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src", "test", "resources", "torchscript-student")
    step = os.path.join(out, "step")
    os.makedirs(step, exist_ok=True)
    torch.manual_seed(7)
    generator = torch.Generator().manual_seed(20190516)

    train_pixels, train_labels = images(90, generator, faintest=170)
    net = BandNet(CHANNELS, 4, TEMPERATURE)
    # Briefly, on purpose: a model right on every image would not tell a right loading from a wrong one.
    losses = train(net, normalised(train_pixels, MEAN, STD), train_labels, batch=15, batches=3)

    pixels, labels = images(IMAGES, generator, faintest=FAINTEST)
    batch = normalised(pixels, MEAN, STD)
    with torch.no_grad():
        traced = torch.jit.trace(net, batch[:4])
        logits = traced(batch)
        probabilities = torch.softmax(logits, dim=1)
        loss = torch.nn.functional.cross_entropy(logits, labels).item()
    correct = int((probabilities.argmax(1) == labels).sum().item())
    accuracy = correct / IMAGES
    traced.save(os.path.join(step, "model.pt"))

    images_file, labels_file = idx(pixels, labels)
    write_gzip(os.path.join(out, "images-idx3-ubyte.gz"), images_file)
    write_gzip(os.path.join(out, "labels-idx1-ubyte.gz"), labels_file)
    # The step folder as the trainer contract has a torch-ddp trainer write it (rank 0), _SUCCESS last.
    write_json(os.path.join(step, "model-card.json"), {
        "format": "semisup-model-card/v1",
        "architecture": "cnn-small",
        "classes": [str(c) for c in range(CLASSES)],
        "imageSize": SIZE,
        "channels": CHANNELS,
        "fit": "centre-square",
        "mean": MEAN,
        "std": STD,
        "validation": {"accuracy": accuracy, "loss": loss, "images": IMAGES},
        "run": {"namespace": "local", "name": "ddp"},
        "step": STEP,
        "parameters": {"file": "model.pt", "format": "torchscript"},
    })
    write_json(os.path.join(step, "history.json"), {"step": STEP, "epochs": [
        {"epoch": 1, "loss": sum(losses) / len(losses), "validationAccuracy": accuracy, "validationLoss": loss,
         "finishedAt": "2026-12-06T12:00:00Z"}]})
    write_json(os.path.join(step, "metrics.json"), {
        "step": STEP, "architecture": "cnn-small", "accuracy": accuracy, "loss": loss, "epochs": 1,
        "trainImages": 45, "imagesPerSecond": 1000.0, "seconds": 1.0})
    open(os.path.join(step, "_SUCCESS"), "w").close()
    write_json(os.path.join(out, "expected.json"), {
        "made": "scripts/make-torchscript-student.py with torch " + torch.__version__,
        "imageSize": SIZE,
        "channels": CHANNELS,
        "mean": MEAN,
        "std": STD,
        "classes": CLASSES,
        "correct": correct,
        "accuracy": accuracy,
        "logits": [[float(v) for v in row] for row in logits.tolist()],
        "probabilities": [[float(v) for v in row] for row in probabilities.tolist()],
    })
    top = probabilities.max(1).values
    print("wrote", out, "- student accuracy on the", IMAGES, "images:", accuracy,
          "- top probability from %.3f to %.3f" % (top.min().item(), top.max().item()))


if __name__ == "__main__":
    main()
