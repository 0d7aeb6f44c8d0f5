"""The worker's learning rate (train/LearningRates): a linear warm-up over the first epoch when there is more
than one, then the spec's schedule (cosine, step at 50% and 75%, or constant) over the remaining steps."""

import math


def learning_rate(schedule, peak, step, total, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = 1.0 if total <= warmup else (step - warmup) / (total - warmup)
    if schedule == "constant":
        return peak
    if schedule == "cosine":
        return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return peak if progress < 0.5 else peak * 0.1 if progress < 0.75 else peak * 0.01


def epoch_seed(seed, epoch):
    """TrainingSet.epochSeed: the seed of one epoch's order."""
    return (seed * 1_000_003 + epoch) & ((1 << 63) - 1)


def batch_seed(seed, epoch, batch):
    """The seed of one global batch's augmentation and noise, a pure function of (seed, epoch, batch)."""
    return (epoch_seed(seed, epoch) * 0x9E3779B97F4A7C15 + batch) & ((1 << 63) - 1)
