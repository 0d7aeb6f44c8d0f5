"""The worker's parameter stream (worker model/ParameterCodec: "SSMP", version 1, then name, shape and big-endian
float32 values of every parameter in the block's declaration order, batch-norm running statistics included), read
into the trainer's network of the same architecture: the networks declare their layers in the same order, so the
i-th stored parameter is the i-th entry of the state dict (less batch-norm's step counter), checked by shape and
by the kind its DJL name ends with."""

import io
import struct

import numpy as np
import torch

MAGIC = 0x53534D50
VERSION = 1
# DJL's parameter name endings and the state-dict entries they become.
KINDS = {"weight": "weight", "bias": "bias", "gamma": "weight", "beta": "bias", "runningMean": "running_mean",
         "runningVar": "running_var"}


class NotParameters(Exception):
    pass


def read(raw, where):
    """[(name, shape, float32 array)] from a model.params stream."""
    f = io.BytesIO(raw)

    def take(n):
        data = f.read(n)
        if len(data) != n:
            raise NotParameters(f"{where}: parameter file is truncated")
        return data

    magic, version, count = struct.unpack(">iii", take(12))
    if magic != MAGIC:
        raise NotParameters(f"{where}: not a semisup model parameter file")
    if version != VERSION:
        raise NotParameters(f"{where}: parameter file version {version} is not supported")
    parameters = []
    for _ in range(count):
        (length,) = struct.unpack(">H", take(2))
        name = take(length).decode("utf-8")
        (rank,) = struct.unpack(">i", take(4))
        shape = struct.unpack(f">{rank}q", take(8 * rank))
        (values,) = struct.unpack(">i", take(4))
        array = np.frombuffer(take(4 * values), dtype=">f4").astype(np.float32).reshape(shape)
        parameters.append((name, shape, array))
    return parameters


def state_dict(raw, model, where):
    """The model's state dict with every parameter and running statistic taken from a model.params stream."""
    stored = read(raw, where)
    state = model.state_dict()
    targets = [k for k in state if not k.endswith("num_batches_tracked")]
    if len(stored) != len(targets):
        raise NotParameters(f"{where}: holds {len(stored)} parameters, the network has {len(targets)}")
    loaded = dict(state)
    for (name, shape, array), key in zip(stored, targets):
        kind = KINDS.get(name.rsplit("_", 1)[-1])
        if kind != key.rsplit(".", 1)[-1] or tuple(state[key].shape) != tuple(shape):
            raise NotParameters(f"{where}: parameter {name}{list(shape)} does not match the network's "
                                f"{key}{list(state[key].shape)}")
        loaded[key] = torch.from_numpy(array.copy())
    return loaded
