"""What make-torchscript-teacher.py and make-torchscript-student.py share: the worker tests' tiny
task (TinyDataset's: 8x8 grey images of 3 classes, class c a bright band at rows 2c+1..2c+2), the
worker's normalisation, a small conv-bn-relu-pool network and the files they write."""
import gzip
import json
import struct

import torch

SIZE = 8
CLASSES = 3


def images(count, generator, faintest=None):
    """Noise in [0, 70) plus 170 on the class's band, clamped to 255. With faintest each band's
    brightness is drawn from [faintest, 170] instead (one more draw from the generator), so some
    bands drown in the noise."""
    labels = torch.randint(0, CLASSES, (count,), generator=generator)
    pixels = torch.randint(0, 70, (count, SIZE, SIZE), generator=generator)
    brightness = 170 if faintest is None else torch.randint(faintest, 171, (count, 1, 1), generator=generator)
    rows = torch.arange(SIZE).view(1, SIZE, 1)
    band = (rows >= 2 * labels.view(-1, 1, 1) + 1) & (rows < 2 * labels.view(-1, 1, 1) + 3)
    pixels = torch.clamp(pixels + brightness * band, max=255).to(torch.uint8)
    return pixels, labels


def normalised(pixels, mean, std):
    """uint8 N x 8 x 8 grey -> float32 N x C x 8 x 8 (C = len(mean), grey copied to each channel as
    ImageGeometry does), (x/255 - mean[c]) / std[c] computed in double and rounded once, as the
    worker's normalisation table does."""
    channels = len(mean)
    grey = pixels.to(torch.float64).unsqueeze(1).repeat(1, channels, 1, 1) / 255.0
    mean = torch.tensor(mean, dtype=torch.float64).view(1, channels, 1, 1)
    std = torch.tensor(std, dtype=torch.float64).view(1, channels, 1, 1)
    return ((grey - mean) / std).to(torch.float32)


class BandNet(torch.nn.Module):
    """conv-bn-relu-pool then a linear classifier: batch-norm makes inference mode matter. The
    logits are divided by a temperature so the probabilities stay well inside (0, 1): a saturated
    softmax (1.0 and 1e-8) would hide a wrong normalisation from a 1e-4 comparison."""

    def __init__(self, channels, width, temperature):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(channels, width, 3, padding=1),
            torch.nn.BatchNorm2d(width),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2))
        self.classifier = torch.nn.Linear(width * (SIZE // 2) * (SIZE // 2), CLASSES)
        self.register_buffer("temperature", torch.tensor(temperature))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1)) / self.temperature


def train(net, inputs, labels, batch, batches=None, epochs=1):
    """Plain SGD (rate 0.05) over the first `batches` batches (all by default), `epochs` times;
    leaves the net in eval mode and returns the losses."""
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    net.train()
    losses = []
    end = inputs.shape[0] if batches is None else batches * batch
    for _ in range(epochs):
        for start in range(0, end, batch):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(inputs[start:start + batch]), labels[start:start + batch])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    net.eval()
    return losses


def idx(pixels, labels):
    """The images and labels as IDX files' bytes (as Fashion-MNIST's)."""
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
