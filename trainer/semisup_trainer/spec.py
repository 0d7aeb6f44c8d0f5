"""The run's spec as the trainer needs it: which step, which network, which recipe, which data, resolved
with the same defaults the crds types give (TrainingSpec, DataSpec, NoiseSpec)."""

import json
import math
import os
import re
from dataclasses import dataclass
from typing import Optional

from .errors import BadInput

ARCHITECTURES = ("cnn-small", "cnn-large", "resnet18", "resnet50")
SCHEDULES = ("cosine", "step", "constant")
_STEP_ID = re.compile(r"^(teacher|student|finetune)(?:-r([0-9]+))?$")


@dataclass(frozen=True)
class Training:
    """spec.*.training / finetuning with the crds defaults."""
    epochs: int
    batch_size: int
    learning_rate: float
    schedule: str
    weight_decay: float
    momentum: float
    seed: int
    checkpoint_every_steps: int


@dataclass(frozen=True)
class Noise:
    dropout: float
    stochastic_depth: float
    strong_augmentation: bool

    @staticmethod
    def none():
        return Noise(0.0, 0.0, False)


@dataclass(frozen=True)
class Source:
    """spec.data.labeled / validation: where the images are and which of them count."""
    field: str
    uri: str
    format: str
    labels_uri: Optional[str]
    per_class: Optional[int]
    seed: int
    limit: Optional[int]


@dataclass(frozen=True)
class Data:
    classes: int
    image_size: int
    channels: int
    mean: tuple
    std: tuple
    flips: bool
    validate_every_epochs: int
    labeled: Source
    validation: Optional[Source]

    def validates_after(self, epoch, epochs):
        return epoch % self.validate_every_epochs == 0 or epoch >= epochs


@dataclass(frozen=True)
class Step:
    """A training step id and where its folder and its inputs live (ObjectLayout's names)."""
    id: str
    stage: str
    round: int

    @staticmethod
    def parse(step_id):
        match = _STEP_ID.match(step_id or "")
        if not match:
            raise BadInput(f"step id '{step_id}': the trainer runs teacher, student or finetune (with -rN for round N)")
        round_number = int(match.group(2)) if match.group(2) else 1
        if match.group(2) and round_number < 2:
            raise BadInput(f"step id '{step_id}': a round suffix starts at -r2")
        return Step(step_id, match.group(1), round_number)

    def folder(self, stage=None):
        name = stage or self.stage
        return name if self.round == 1 else f"round-{self.round}/{name}"


@dataclass(frozen=True)
class Recipe:
    """What one step trains: its network, recipe, noise and the spec field that holds them (for messages)."""
    field: str
    architecture: str
    training: Training
    noise: Noise


@dataclass(frozen=True)
class Storage:
    endpoint: Optional[str]
    bucket: str
    region: str


@dataclass(frozen=True)
class RunSpec:
    data: Data
    storage: Storage
    soft_targets: bool
    mixes_labeled: bool
    raw: dict

    def recipe(self, step):
        if step.stage == "teacher":
            teacher = _section(self.raw, "teacher")
            return Recipe("spec.teacher", _architecture(teacher, "spec.teacher"),
                          _training(teacher.get("training"), "spec.teacher.training"), Noise.none())
        student = _section(self.raw, "student")
        noise = _noise(student.get("noise"))
        if step.stage == "student":
            return Recipe("spec.student.training", _architecture(student, "spec.student"),
                          _training(student.get("training"), "spec.student.training"), noise)
        # The fine-tune keeps the student's noise (the network is built with it) but not its strong augmentation.
        return Recipe("spec.student.finetuning", _architecture(student, "spec.student"),
                      _training(student.get("finetuning"), "spec.student.finetuning"),
                      Noise(noise.dropout, noise.stochastic_depth, False))


def load(env=os.environ):
    """The spec from SEMISUP_SPEC (JSON) or SEMISUP_SPEC_FILE, as the worker contract passes it."""
    text = env.get("SEMISUP_SPEC")
    where = "SEMISUP_SPEC"
    if not text:
        path = env.get("SEMISUP_SPEC_FILE")
        if not path:
            raise BadInput("no spec: set SEMISUP_SPEC (the spec as JSON) or SEMISUP_SPEC_FILE")
        where = path
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise BadInput(f"SEMISUP_SPEC_FILE {path}: {e.strerror}") from e
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise BadInput(f"{where}: not JSON ({e})") from e
    if isinstance(raw, dict) and "spec" in raw and "apiVersion" in raw:
        raw = raw["spec"]
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: the spec must be a JSON object")
    return parse(raw)


def parse(raw):
    data = _section(raw, "data")
    storage = raw.get("storage") or {}
    sampling = raw.get("sampling") or {}
    return RunSpec(_data(data), Storage(storage.get("endpoint"), storage.get("bucket") or "semisup",
                                        storage.get("region") or "us-east-1"),
                   bool(sampling.get("softTargets")), bool(sampling.get("mixLabeled")), raw)


def _section(raw, name):
    value = raw.get(name)
    if not isinstance(value, dict):
        raise BadInput(f"spec.{name}: missing")
    return value


def _architecture(section, field):
    name = section.get("architecture")
    if name not in ARCHITECTURES:
        raise BadInput(f"{field}.architecture: '{name}' is not one of {', '.join(ARCHITECTURES)}")
    return name


def _training(raw, field):
    raw = raw or {}
    training = Training(
        epochs=_int(raw, "epochs", 10, field, 1), batch_size=_int(raw, "batchSize", 64, field, 1),
        learning_rate=_float(raw, "learningRate", 0.05, field), schedule=raw.get("schedule") or "cosine",
        weight_decay=_float(raw, "weightDecay", 5e-4, field), momentum=_float(raw, "momentum", 0.9, field),
        seed=_int(raw, "seed", 1, field, None), checkpoint_every_steps=_int(raw, "checkpointEverySteps", 500, field, 0))
    if training.schedule not in SCHEDULES:
        raise BadInput(f"{field}.schedule: '{training.schedule}' is not one of {', '.join(SCHEDULES)}")
    return training


def _noise(raw):
    raw = raw or {}
    return Noise(float(raw.get("dropout") or 0.0), float(raw.get("stochasticDepth") or 0.0),
                 bool(raw.get("strongAugmentation")))


def _data(raw):
    classes = raw.get("classes")
    if not isinstance(classes, int) or classes < 2:
        raise BadInput(f"spec.data.classes: must be an integer of at least 2, was {classes}")
    labeled = _source(raw.get("labeled"), "spec.data.labeled")
    if labeled is None:
        raise BadInput("spec.data.labeled: missing")
    validation = _source(raw.get("validation"), "spec.data.validation")
    is_idx = labeled.format == "idx"
    image_size = raw.get("imageSize") or (28 if is_idx else 32 if labeled.format == "cifar" else 224)
    channels = raw.get("channels") or (1 if is_idx else 3)
    if channels not in (1, 3):
        raise BadInput(f"spec.data.channels: 1 or 3, was {channels}")
    mean = _per_channel(raw.get("mean"), 0.5, channels, "spec.data.mean")
    std = _per_channel(raw.get("std"), 0.25, channels, "spec.data.std")
    if any(not s > 0 for s in std):
        raise BadInput(f"spec.data.std: must be positive, was {list(std)}")
    every = raw.get("validateEveryEpochs") or 1
    return Data(classes, int(image_size), int(channels), mean, std, raw.get("horizontalFlip") is not False,
                int(every), labeled, validation)


def _source(raw, field):
    if raw is None:
        return None
    uri = raw.get("uri")
    if not uri:
        raise BadInput(f"{field}.uri: missing")
    return Source(field, uri, raw.get("format") or "", raw.get("labelsUri"), raw.get("perClass"),
                  int(raw.get("seed") or 0), raw.get("limit"))


def _per_channel(values, fallback, channels, field):
    values = list(values) if values else [fallback]
    if len(values) == 1:
        values = values * channels
    if len(values) != channels:
        raise BadInput(f"{field}: needs 1 or {channels} values, has {len(values)}")
    return tuple(float(v) for v in values)


def _int(raw, name, default, field, minimum):
    value = raw.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, int) or (minimum is not None and value < minimum):
        raise BadInput(f"{field}.{name}: must be an integer >= {minimum}, was {value}")
    return value


def _float(raw, name, default, field):
    value = raw.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise BadInput(f"{field}.{name}: must be a non-negative number, was {value}")
    return float(value)
