"""One training step as a process group: every rank builds the same network from the seed, reads its share of
each global batch, and DDP averages the gradients; rank 0 checkpoints, validates and writes the artifacts.

A global batch is spec batchSize examples of the epoch's seeded order, cut into world-size contiguous parts; each
rank's loss is its part's summed cross-entropy times world/batch, so DDP's mean of the gradients is the gradient of
the global batch's mean loss, whatever the world size. Everything random is a pure function of (seed, epoch,
batch): the order, the augmentation (drawn for the global batch), dropout and stochastic depth (torch's
generator reseeded every step). So a group killed anywhere and restarted from its newest checkpoint ends with the
parameters an uninterrupted run ends with."""

import json
import logging
import math
import random
import time
from dataclasses import dataclass

import torch
from torch.nn.parallel import DistributedDataParallel

from . import artifacts, models
from .augment import Augmentation
from .checkpoints import Checkpoints
from .errors import BadInput
from .schedule import batch_seed, epoch_seed, learning_rate

LOG = logging.getLogger("semisup_trainer")
PROGRESS_SECONDS = 2.0
PRECISIONS = ("auto", "fp32", "fp16", "bf16")


class Precision:
    """fp16 autocast with a GradScaler on CUDA by default (AMP); fp32 on CPU; bf16 autocast on request."""

    def __init__(self, name, device):
        if name not in PRECISIONS:
            raise BadInput(f"SEMISUP_TRAINER_PRECISION: '{name}' is not one of {', '.join(PRECISIONS)}")
        if name == "auto":
            name = "fp16" if device.type == "cuda" else "fp32"
        if name == "fp16" and device.type != "cuda":
            raise BadInput("SEMISUP_TRAINER_PRECISION: fp16 needs a CUDA device; use bf16 or fp32 on CPU")
        self.name = name
        self.device = device

    def autocast(self):
        if self.name == "fp32":
            return torch.autocast(device_type=self.device.type, enabled=False)
        dtype = torch.float16 if self.name == "fp16" else torch.bfloat16
        return torch.autocast(device_type=self.device.type, dtype=dtype)

    def scaler(self):
        return torch.cuda.amp.GradScaler(enabled=self.name == "fp16")


@dataclass
class Position:
    """Where training stands: epochs done, batches done in the next epoch, and that epoch's loss so far
    (summed over its examples): what a checkpoint records and a resumed group starts from."""
    epoch: int = 0
    batch: int = 0
    loss_sum: float = 0.0
    examples: int = 0


@dataclass(frozen=True)
class Plan:
    """The batches of the step, from the planned examples and the spec's global batch size (the schedule's clock)."""
    examples: int
    batch_size: int
    batches: int
    epochs: int

    @staticmethod
    def of(examples, training):
        batch_size = min(training.batch_size, examples)
        return Plan(examples, batch_size, (examples + batch_size - 1) // batch_size, training.epochs)

    @property
    def total_steps(self):
        return self.epochs * self.batches

    @property
    def warmup(self):
        # The worker's warm-up: the first epoch, when there is more than one.
        return self.batches if self.epochs > 1 else 0


class Trainer:

    def __init__(self, spec, step, recipe, store, group, examples, validation, starting_state, precision):
        self.spec, self.step, self.recipe, self.store, self.group = spec, step, recipe, store, group
        self.examples, self.validation, self.starting_state = examples, validation, starting_state
        self.training = recipe.training
        self.plan = Plan.of(len(examples), recipe.training)
        self.precision = Precision(precision, group.device)
        self.folder = step.folder()
        self.checkpoints = Checkpoints(store, self.folder)
        self.augmentation = Augmentation(spec.data, recipe.noise.strong_augmentation)
        self.history = artifacts.History(store, self.folder + "/history.json", step) if group.leader else None
        self.started = time.monotonic()
        self.seen = 0
        self.steps_here = 0
        self.last_progress = 0.0
        self.last_loss = float("nan")

    def network(self):
        data = self.spec.data
        return models.build(self.recipe.architecture, data.channels, data.image_size, data.classes, self.recipe.noise)

    def fit(self):
        model, optimizer, scaler = self._build()
        position = self._resume(model, optimizer, scaler)
        trained = self._distributed(model)
        trained.train()
        for epoch in range(position.epoch, self.plan.epochs):
            if epoch > position.epoch or position.batch == 0:
                position = Position(epoch)
            self._epoch(trained, model, optimizer, scaler, position)
        if self.group.leader:
            self._finish(model)
        self.group.barrier()

    def _build(self):
        """The network from the seed (the same on every rank), or from the starting parameters, on the device."""
        t, group, device = self.training, self.group, self.group.device
        torch.manual_seed(t.seed)
        model = self.network()
        if self.starting_state is not None:
            model.load_state_dict(self.starting_state)
        model.to(device)
        if device.type == "cuda":
            model.to(memory_format=torch.channels_last)
            if group.distributed:
                model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        if group.distributed and device.type == "cpu":
            # Batch-norm statistics travel on a group of their own, never interleaved with DDP's gradient buckets.
            models.STATISTICS_GROUP = group.subgroup()
        optimizer = torch.optim.SGD(model.parameters(), lr=t.learning_rate, momentum=t.momentum,
                                    weight_decay=t.weight_decay)
        return model, optimizer, self.precision.scaler()

    def _resume(self, model, optimizer, scaler):
        newest = self.checkpoints.newest(self.group)
        if newest is None:
            return Position()
        state = self.checkpoints.load(newest)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if state["scaler"] and scaler.is_enabled():
            scaler.load_state_dict(state["scaler"])
        torch.set_rng_state(state["rng"]["torch"])
        random.setstate(state["rng"]["python"])
        LOG.info("%s: resuming from %s (epoch %d, batch %d)", self.step.id, self.store.uri(newest),
                 state["epochsDone"] + 1, state["batches"])
        return Position(state["epochsDone"], state["batches"], state["epochLossSum"], state["epochExamples"])

    def _distributed(self, model):
        if not self.group.distributed:
            return model
        device = self.group.device
        # Stochastic depth leaves whole blocks out of a step (the same ones on every rank).
        return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None,
                                       broadcast_buffers=False,
                                       find_unused_parameters=self.recipe.noise.stochastic_depth > 0)

    def _epoch(self, trained, model, optimizer, scaler, position):
        t, plan = self.training, self.plan
        epoch = position.epoch
        order = torch.randperm(plan.examples, generator=torch.Generator().manual_seed(epoch_seed(t.seed, epoch)))
        for batch in range(position.batch, plan.batches):
            chosen = order[batch * plan.batch_size:(batch + 1) * plan.batch_size]
            loss = self._step(trained, optimizer, scaler, epoch, batch, chosen)
            position.batch = batch + 1
            position.loss_sum += loss * len(chosen)
            position.examples += len(chosen)
            if self.group.leader:
                self._report_progress(epoch, batch + 1, loss)
                every = t.checkpoint_every_steps
                if every and position.batch % every == 0 and position.batch < plan.batches:
                    self._save(model, optimizer, scaler, position)
        if self.group.leader:
            mean_loss = position.loss_sum / max(position.examples, 1)
            validation = None
            if self.spec.data.validates_after(epoch + 1, t.epochs):
                validation = artifacts.evaluate(model, self.validation, self.augmentation, self.group.device)[:2]
            self.history.epoch_trained(epoch + 1, mean_loss, validation)
            self._save(model, optimizer, scaler, Position(epoch + 1))
            LOG.info("%s: epoch %d/%d loss %.4f%s", self.step.id, epoch + 1, t.epochs, mean_loss,
                     "" if validation is None else f" validation accuracy {validation[0]:.4f}")

    def _step(self, trained, optimizer, scaler, epoch, batch, chosen):
        """One global batch: this rank's part of it forward and backward, DDP's all-reduce, the optimizer's
        step. Returns the global batch's mean loss."""
        t, group, device = self.training, self.group, self.group.device
        count = len(chosen)
        mine = torch.tensor_split(torch.arange(count), group.world_size)[group.rank]
        seed = batch_seed(t.seed, epoch, batch)
        draws = Augmentation.rows(self.augmentation.draws(count, seed), mine)
        pixels, targets = self.examples.batch(chosen[mine])
        x = self.augmentation.apply(pixels, draws).to(device, non_blocking=True)
        if device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        targets = targets.to(device, non_blocking=True)
        # Dropout and stochastic depth draw from torch's generator: seeded per batch, alike on every rank.
        torch.manual_seed((seed * 31 + 17) & ((1 << 63) - 1))
        rate = learning_rate(t.schedule, t.learning_rate, epoch * self.plan.batches + batch, self.plan.total_steps,
                             self.plan.warmup)
        for param_group in optimizer.param_groups:
            param_group["lr"] = rate
        optimizer.zero_grad(set_to_none=True)
        with self.precision.autocast():
            logits = trained(x)
        part_loss = -(targets * torch.log_softmax(logits.float(), dim=1)).sum()
        scaler.scale(part_loss * (group.world_size / count)).backward()
        scaler.step(optimizer)
        scaler.update()
        loss = group.sum(part_loss.item()) / count
        if not math.isfinite(loss):
            raise BadInput(f"{self.step.id}: training diverged: loss {loss} at epoch {epoch + 1} batch {batch + 1} "
                           f"(learning rate {rate:.6g}); {self.recipe.field}.learningRate is {t.learning_rate}: "
                           "lower it")
        self.seen += count
        self.steps_here += 1
        self.last_loss = loss
        return loss

    def _report_progress(self, epoch, done, loss):
        elapsed = time.monotonic() - self.started
        batches = self.plan.batches
        if elapsed - self.last_progress < PROGRESS_SECONDS and done != batches:
            return
        self.last_progress = elapsed
        remaining = (self.plan.epochs - epoch - 1) * batches + batches - done
        eta = round(remaining * elapsed / self.steps_here) if self.steps_here >= 3 else None
        self.store.put(self.folder + "/progress.json", artifacts.to_json(artifacts.progress(
            self.step, epoch + 1, self.plan.epochs, done, batches, self.seen / max(elapsed, 1e-9), loss, eta)))

    def _save(self, model, optimizer, scaler, position):
        rng = {"torch": torch.get_rng_state(), "python": random.getstate()}
        self.checkpoints.save({"epochsDone": position.epoch, "batches": position.batch,
                               "epochLossSum": position.loss_sum, "epochExamples": position.examples,
                               "model": _cpu(model.state_dict()), "optimizer": optimizer.state_dict(),
                               "scaler": scaler.state_dict(), "rng": rng, "worldSize": self.group.world_size})

    def _finish(self, model):
        """model.pt, metrics.json, model-card.json, the final progress, then _SUCCESS: last, so a reader that
        sees it sees the rest."""
        seconds = time.monotonic() - self.started
        images_per_second = self.seen / max(seconds, 1e-9)
        epochs = self.plan.epochs
        self.store.put(self.folder + "/" + artifacts.MODEL_FILE,
                       artifacts.torchscript(self.network, _cpu(model.state_dict()), self.spec.data))
        validation = self.history.validation_of(epochs)
        if validation is not None:
            validation = (validation[0], validation[1], len(self.validation))
        else:
            validation = artifacts.evaluate(model, self.validation, self.augmentation, self.group.device)
        self.store.put(self.folder + "/metrics.json", artifacts.to_json(artifacts.metrics(
            self.step, self.recipe.architecture, validation, epochs, self.plan.examples, images_per_second, seconds)))
        marker = json.loads(self.store.get("run.json")) if self.store.exists("run.json") else None
        self.store.put(self.folder + "/model-card.json", artifacts.to_json(
            artifacts.model_card(self.spec, self.step, self.recipe, validation, marker)))
        self.store.put(self.folder + "/progress.json", artifacts.to_json(artifacts.progress(
            self.step, epochs, epochs, self.plan.batches, self.plan.batches, images_per_second, self.last_loss, 0)))
        self.store.put(self.folder + "/_SUCCESS", b"")
        LOG.info("%s: validation accuracy %.4f on %d images; artifacts in %s", self.step.id, validation[0],
                 validation[2], self.store.uri(self.folder))


def _cpu(state):
    return {k: v.detach().to("cpu", copy=True) for k, v in state.items()}
