"""What a training step writes beside its model (crds report types, the worker's ModelCard), as JSON in the
shapes the worker writes them, so the operator, the report and predict read them the same."""

import datetime
import io
import json

import torch

MODEL_FILE = "model.pt"
CARD_FORMAT = "semisup-model-card/v1"
FASHION_MNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                 "Ankle boot"]


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_json(value):
    return json.dumps(value, indent=2).encode("utf-8")


def class_names(data):
    """ClassNames.of for idx data: Fashion-MNIST's names where the labeled set is it, else the numbers."""
    labeled = data.labeled
    if labeled.format == "idx" and data.classes == 10 and "fashion" in labeled.uri.lower():
        return list(FASHION_MNIST)
    return [str(c) for c in range(data.classes)]


def model_card(spec, step, recipe, validation, marker):
    data = spec.data
    card = {
        "format": CARD_FORMAT,
        "architecture": recipe.architecture,
        "noise": {"dropout": recipe.noise.dropout, "stochasticDepth": recipe.noise.stochastic_depth},
        "classes": class_names(data),
        "imageSize": data.image_size,
        "channels": data.channels,
        "fit": "centre-square",
        "mean": list(data.mean),
        "std": list(data.std),
    }
    if validation is not None:
        card["validation"] = {"accuracy": validation[0], "loss": validation[1], "images": validation[2]}
    if marker is not None:
        card["run"] = {k: marker[k] for k in ("namespace", "name", "uid") if marker.get(k) is not None}
    card["step"] = step.id
    card["parameters"] = {"file": MODEL_FILE, "format": "torchscript"}
    return card


def metrics(step, architecture, validation, epochs, train_images, images_per_second, seconds):
    return {"step": step.id, "architecture": architecture, "accuracy": validation[0], "loss": validation[1],
            "epochs": epochs, "trainImages": train_images, "imagesPerSecond": images_per_second, "seconds": seconds}


def progress(step, epoch, epochs, done, total, images_per_second, loss, eta):
    value = {"step": step.id, "shard": 0, "shards": 1, "epoch": epoch, "epochs": epochs, "done": done,
             "total": total, "imagesPerSecond": images_per_second}
    if loss is not None and loss == loss:
        value["loss"] = loss
    if eta is not None:
        value["etaSeconds"] = eta
    value["updatedAt"] = now()
    return value


class History:
    """history.json: one entry per finished epoch; a resumed step keeps the entries before the epoch it redoes."""

    def __init__(self, store, key, step):
        self.store, self.key = store, key
        self.value = json.loads(store.get(key)) if store.exists(key) else {"step": step.id, "epochs": []}

    def epoch_trained(self, epoch, loss, validation):
        entry = {"epoch": epoch, "loss": loss}
        if validation is not None:
            entry["validationAccuracy"], entry["validationLoss"] = validation[0], validation[1]
        entry["finishedAt"] = now()
        kept = [e for e in self.value.get("epochs", []) if e["epoch"] < epoch]
        self.value = {"step": self.value.get("step"), "epochs": kept + [entry]}
        self.store.put(self.key, to_json(self.value))

    def validation_of(self, epoch):
        for e in self.value.get("epochs", []):
            if e["epoch"] == epoch and "validationAccuracy" in e:
                return e["validationAccuracy"], e["validationLoss"]
        return None


def evaluate(model, images, augmentation, device, batch_size=256):
    """Top-1 accuracy and mean cross-entropy on a labeled set, in eval mode, drawing from no generator."""
    was_training = model.training
    model.eval()
    correct = 0
    loss_sum = 0.0
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            index = torch.arange(start, min(start + batch_size, len(images)))
            pixels, targets = images.batch(index)
            logits = model(augmentation.normalise(pixels).to(device)).float().cpu()
            labels = targets.argmax(1)
            correct += int((logits.argmax(1) == labels).sum())
            loss_sum += float(torch.nn.functional.cross_entropy(logits, labels, reduction="sum"))
    model.train(was_training)
    return correct / len(images), loss_sum / len(images), len(images)


def torchscript(model_factory, state, data):
    """The model as TorchScript bytes: a fresh CPU float32 copy of the network in eval mode, traced."""
    model = model_factory()
    model.load_state_dict(state)
    model.eval()
    example = torch.zeros(1, data.channels, data.image_size, data.image_size)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    buffer = io.BytesIO()
    torch.jit.save(traced, buffer)
    return buffer.getvalue()
