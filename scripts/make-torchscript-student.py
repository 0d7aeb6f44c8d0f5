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
import gzip
import json
import os
import struct
import sys

import torch

SIZE = 8
CLASSES = 3
CHANNELS = 1
MEAN = [0.3]
STD = [0.4]
IMAGES = 60
# The labeled images' faintest band: some are hard, so the accuracy is no trivial 1.0.
FAINTEST = 0
TEMPERATURE = 1.0
STEP = "finetune"


def images(count, generator, faintest=170):
    """TinyDataset's task: noise in [0, 70) plus 170 on the class's band, clamped to 255; with
    faintest < 170 each band's brightness is drawn from [faintest, 170], so some bands drown in the noise."""
    labels = torch.randint(0, CLASSES, (count,), generator=generator)
    pixels = torch.randint(0, 70, (count, SIZE, SIZE), generator=generator)
    brightness = torch.randint(faintest, 171, (count, 1, 1), generator=generator)
    rows = torch.arange(SIZE).view(1, SIZE, 1)
    band = (rows >= 2 * labels.view(-1, 1, 1) + 1) & (rows < 2 * labels.view(-1, 1, 1) + 3)
    pixels = torch.clamp(pixels + brightness * band, max=255).to(torch.uint8)
    return pixels, labels


def preprocess(pixels):
    """uint8 N x 8 x 8 grey -> float32 N x 1 x 8 x 8, (x/255 - mean) / std computed in double and
    rounded once, as the worker's normalisation table does."""
    grey = pixels.to(torch.float64).unsqueeze(1) / 255.0
    return ((grey - MEAN[0]) / STD[0]).to(torch.float32)


class Student(torch.nn.Module):
    """conv-bn-relu-pool then a linear classifier (batch-norm: eval mode matters); logits divided by
    a temperature so the probabilities stay well inside (0, 1)."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(CHANNELS, 4, 3, padding=1),
            torch.nn.BatchNorm2d(4),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2))
        self.classifier = torch.nn.Linear(4 * (SIZE // 2) * (SIZE // 2), CLASSES)
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


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "worker", "src", "test", "resources", "torchscript-student")
    step = os.path.join(out, "step")
    os.makedirs(step, exist_ok=True)
    torch.manual_seed(7)
    generator = torch.Generator().manual_seed(20190516)

    train_pixels, train_labels = images(90, generator)
    train = preprocess(train_pixels)
    net = Student()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    net.train()
    losses = []
    # Briefly, on purpose: a model right on every image would not tell a right loading from a wrong one.
    for start in range(0, 45, 15):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(train[start:start + 15]), train_labels[start:start + 15])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    net.eval()

    pixels, labels = images(IMAGES, generator, faintest=FAINTEST)
    batch = preprocess(pixels)
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
