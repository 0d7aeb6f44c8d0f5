"""One training step as a process group: every rank builds the same network from the seed, reads its share of
each global batch, and DDP averages the gradients; rank 0 checkpoints, validates and writes the artifacts.

A global batch is spec batchSize examples of the epoch's seeded order, cut into world-size contiguous parts; each
rank's loss is its part's summed cross-entropy times world/batch, so DDP's mean of the gradients is the gradient of
the global batch's mean loss, whatever the world size. Everything random is a pure function of (seed, epoch,
batch): the order, the augmentation (drawn for the global batch), dropout and stochastic depth (torch's
generator reseeded every step). So a group killed anywhere and restarted from its newest checkpoint ends with the
parameters an uninterrupted run ends with."""

import logging
import math
import random
import time

import torch
import torch.distributed as dist
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


class Trainer:

    def __init__(self, spec, step, recipe, store, group, examples, validation, starting_state, precision):
        self.spec, self.step, self.recipe, self.store, self.group = spec, step, recipe, store, group
        self.examples, self.validation, self.starting_state = examples, validation, starting_state
        self.precision = Precision(precision, group.device)
        self.folder = step.folder()
        self.checkpoints = Checkpoints(store, self.folder)
        self.augmentation = Augmentation(spec.data, recipe.noise.strong_augmentation)

    def network(self):
        data = self.spec.data
        return models.build(self.recipe.architecture, data.channels, data.image_size, data.classes, self.recipe.noise)

    def fit(self):
        t, group, device = self.recipe.training, self.group, self.group.device
        started = time.monotonic()
        planned = len(self.examples)
        batch_size = min(t.batch_size, planned)
        batches = (planned + batch_size - 1) // batch_size
        total_steps = t.epochs * batches
        warmup = batches if t.epochs > 1 else 0

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
            models.STATISTICS_GROUP = dist.new_group(backend="gloo")
        optimizer = torch.optim.SGD(model.parameters(), lr=t.learning_rate, momentum=t.momentum,
                                    weight_decay=t.weight_decay)
        scaler = self.precision.scaler()
        history = artifacts.History(self.store, self.folder + "/history.json", self.step) if group.leader else None

        first_epoch, first_batch, loss_sum, seen_in_epoch = 0, 0, 0.0, 0
        newest = self.checkpoints.newest(group)
        if newest is not None:
            state = self.checkpoints.load(newest)
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scaler.load_state_dict(state["scaler"])
            torch.set_rng_state(state["rng"]["torch"])
            random.setstate(state["rng"]["python"])
            first_epoch, first_batch = state["epochsDone"], state["batches"]
            loss_sum, seen_in_epoch = state["epochLossSum"], state["epochExamples"]
            LOG.info("%s: resuming from %s (epoch %d, batch %d)", self.step.id, self.store.uri(newest),
                     first_epoch + 1, first_batch)
        trained = model
        if group.distributed:
            trained = DistributedDataParallel(
                model, device_ids=[device.index] if device.type == "cuda" else None, broadcast_buffers=False,
                find_unused_parameters=self.recipe.noise.stochastic_depth > 0)
        trained.train()

        seen = 0
        last_progress = 0.0
        last_loss = float("nan")
        steps_here = 0
        for epoch in range(first_epoch, t.epochs):
            order = torch.randperm(planned, generator=torch.Generator().manual_seed(epoch_seed(t.seed, epoch)))
            start = first_batch if epoch == first_epoch else 0
            if start == 0:
                loss_sum, seen_in_epoch = 0.0, 0
            for batch in range(start, batches):
                chosen = order[batch * batch_size:(batch + 1) * batch_size]
                count = len(chosen)
                mine = torch.tensor_split(torch.arange(count), group.world_size)[group.rank]
                seed = batch_seed(t.seed, epoch, batch)
                draws = Augmentation.rows(self.augmentation.draws(count, seed), mine)
                pixels, targets = self.examples.batch(chosen[mine])
                x = self.augmentation.apply(pixels, draws).to(device, non_blocking=True)
                if device.type == "cuda":
                    x = x.contiguous(memory_format=torch.channels_last)
                targets = targets.to(device, non_blocking=True)
                torch.manual_seed((seed * 31 + 17) & ((1 << 63) - 1))
                rate = learning_rate(t.schedule, t.learning_rate, epoch * batches + batch, total_steps, warmup)
                for param_group in optimizer.param_groups:
                    param_group["lr"] = rate
                optimizer.zero_grad(set_to_none=True)
                with self.precision.autocast():
                    logits = trained(x)
                part_loss = -(targets * torch.log_softmax(logits.float(), dim=1)).sum()
                scaler.scale(part_loss * (group.world_size / count)).backward()
                scaler.step(optimizer)
                scaler.update()
                batch_loss = group.sum(part_loss.item()) / count
                if not math.isfinite(batch_loss):
                    raise BadInput(f"{self.step.id}: training diverged: loss {batch_loss} at epoch {epoch + 1} batch "
                                   f"{batch + 1} (learning rate {rate:.6g}); {self.recipe.field}.learningRate is "
                                   f"{t.learning_rate}: lower it")
                loss_sum += batch_loss * count
                seen_in_epoch += count
                seen += count
                steps_here += 1
                last_loss = batch_loss
                done = batch + 1
                if group.leader:
                    elapsed = time.monotonic() - started
                    if elapsed - last_progress >= PROGRESS_SECONDS or done == batches:
                        last_progress = elapsed
                        remaining = (t.epochs - epoch - 1) * batches + batches - done
                        eta = round(remaining * elapsed / steps_here) if steps_here >= 3 else None
                        self.store.put(self.folder + "/progress.json", artifacts.to_json(artifacts.progress(
                            self.step, epoch + 1, t.epochs, done, batches, seen / max(elapsed, 1e-9), batch_loss, eta)))
                    if t.checkpoint_every_steps and done % t.checkpoint_every_steps == 0 and done < batches:
                        self._save(model, optimizer, scaler, epoch, done, loss_sum, seen_in_epoch)
            mean_loss = loss_sum / max(seen_in_epoch, 1)
            if group.leader:
                validation = None
                if self.spec.data.validates_after(epoch + 1, t.epochs):
                    validation = artifacts.evaluate(model, self.validation, self.augmentation, device)[:2]
                history.epoch_trained(epoch + 1, mean_loss, validation)
                self._save(model, optimizer, scaler, epoch + 1, 0, 0.0, 0)
                LOG.info("%s: epoch %d/%d loss %.4f%s", self.step.id, epoch + 1, t.epochs, mean_loss,
                         "" if validation is None else f" validation accuracy {validation[0]:.4f}")
        seconds = time.monotonic() - started
        if group.leader:
            self._finish(model, history, t, planned, seen / max(seconds, 1e-9), seconds, last_loss)
        group.barrier()

    def _save(self, model, optimizer, scaler, epochs_done, batches, loss_sum, seen_in_epoch):
        rng = {"torch": torch.get_rng_state(), "python": random.getstate()}
        self.checkpoints.save({"epochsDone": epochs_done, "batches": batches, "epochLossSum": loss_sum,
                               "epochExamples": seen_in_epoch, "model": _cpu(model.state_dict()),
                               "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(), "rng": rng,
                               "worldSize": self.group.world_size})

    def _finish(self, model, history, t, planned, images_per_second, seconds, last_loss):
        """model.pt, metrics.json, model-card.json, the final progress, then _SUCCESS: last, so a reader that
        sees it sees the rest."""
        state = _cpu(model.state_dict())
        self.store.put(self.folder + "/" + artifacts.MODEL_FILE, artifacts.torchscript(self.network, state, self.spec.data))
        validation = history.validation_of(t.epochs)
        if validation is not None:
            validation = (validation[0], validation[1], len(self.validation))
        else:
            validation = artifacts.evaluate(model, self.validation, self.augmentation, self.group.device)
        self.store.put(self.folder + "/metrics.json", artifacts.to_json(artifacts.metrics(
            self.step, self.recipe.architecture, validation, t.epochs, planned, images_per_second, seconds)))
        marker = None
        if self.store.exists("run.json"):
            import json
            marker = json.loads(self.store.get("run.json"))
        self.store.put(self.folder + "/model-card.json", artifacts.to_json(
            artifacts.model_card(self.spec, self.step, self.recipe, validation, marker)))
        batches = (planned + min(t.batch_size, planned) - 1) // min(t.batch_size, planned)
        self.store.put(self.folder + "/progress.json", artifacts.to_json(artifacts.progress(
            self.step, t.epochs, t.epochs, batches, batches, images_per_second, last_loss, 0)))
        self.store.put(self.folder + "/_SUCCESS", b"")
        LOG.info("%s: validation accuracy %.4f on %d images; artifacts in %s", self.step.id, validation[0],
                 validation[2], self.store.uri(self.folder))


def _cpu(state):
    return {k: v.detach().to("cpu", copy=True) for k, v in state.items()}
