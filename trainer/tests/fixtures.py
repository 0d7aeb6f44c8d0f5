"""Small seeded data and a process-group launcher for the trainer's tests: idx files of a few hundred 8x8
images whose class is visible (a bright square in one of four places), pack-style tar shards, and ranks started
with the per-process torchrun environment, as the operator's pods and the local mode start them."""

import gzip
import io
import json
import os
import socket
import struct
import subprocess
import sys
import tarfile
import time

import numpy as np

TRAINER = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PYTHON = "/usr/bin/python3"
SIZE = 8
CLASSES = 4


def images_of(count, seed):
    random = np.random.default_rng(seed)
    labels = random.integers(0, CLASSES, count).astype(np.uint8)
    images = random.integers(0, 60, (count, SIZE, SIZE)).astype(np.uint8)
    for i, label in enumerate(labels):
        top, left = (label // 2) * 4, (label % 2) * 4
        images[i, top:top + 4, left:left + 4] += 150
    return images, labels


def write_idx(folder, name, images, labels, compress):
    image_bytes = struct.pack(">iIII", 0x803, len(images), SIZE, SIZE) + images.tobytes()
    label_bytes = struct.pack(">iI", 0x801, len(labels)) + labels.tobytes()
    suffix = ".gz" if compress else ""
    paths = []
    for kind, payload in (("images", image_bytes), ("labels", label_bytes)):
        path = os.path.join(folder, f"{name}-{kind}-idx{3 if kind == 'images' else 1}-ubyte{suffix}")
        with open(path, "wb") as f:
            f.write(gzip.compress(payload, mtime=0) if compress else payload)
        paths.append(path)
    return paths


def write_shard(path, images, labels, soft):
    from PIL import Image
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for i, (image, label) in enumerate(zip(images, labels)):
            png = io.BytesIO()
            Image.fromarray(image, mode="L").save(png, format="PNG")
            other = (int(label) + 1) % CLASSES
            meta = {"ref": f"pool#{i}", "score": 0.9, "classes": [int(label), other],
                    "probabilities": [0.8, 0.2] if soft else [1.0, 0.0]}
            for extension, payload in (("png", png.getvalue()), ("cls", str(int(label)).encode()),
                                       ("json", json.dumps(meta).encode())):
                info = tarfile.TarInfo(f"{i:010d}.{extension}")
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))


def spec(data_folder, architecture="cnn-small", epochs=2, batch_size=16, seed=7, checkpoint_every=2, labeled=None,
         noise=None, soft=False):
    labeled_images, labeled_labels = labeled or (os.path.join(data_folder, "train-images-idx3-ubyte.gz"),
                                                 os.path.join(data_folder, "train-labels-idx1-ubyte.gz"))
    training = {"epochs": epochs, "batchSize": batch_size, "learningRate": 0.05, "schedule": "cosine",
                "weightDecay": 5e-4, "momentum": 0.9, "seed": seed, "checkpointEverySteps": checkpoint_every}
    return {
        "storage": {"bucket": "semisup"},
        "data": {"classes": CLASSES, "imageSize": SIZE,
                 "labeled": {"uri": "file://" + labeled_images, "format": "idx", "labelsUri": "file://" + labeled_labels},
                 "validation": {"uri": "file://" + os.path.join(data_folder, "test-images-idx3-ubyte"),
                                "format": "idx", "labelsUri": "file://" + os.path.join(data_folder, "test-labels-idx1-ubyte")}},
        "teacher": {"architecture": architecture, "training": training},
        "student": {"architecture": architecture, "training": training, "finetuning": training,
                    "noise": noise or {}},
        "sampling": {"softTargets": soft},
    }


def make_data(folder, train=96, test=40):
    os.makedirs(folder, exist_ok=True)
    write_idx(folder, "train", *images_of(train, 1), compress=True)
    write_idx(folder, "test", *images_of(test, 2), compress=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rank_env(run_spec, store, world, rank, port, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEMISUP_")}
    env.update({"PYTHONPATH": TRAINER, "SEMISUP_SPEC": json.dumps(run_spec), "SEMISUP_STORE_PREFIX": "runs/local/test",
                "SEMISUP_RUN_NAME": "test", "OMP_NUM_THREADS": "1", "SEMISUP_TRAINER_DEVICE": "cpu"})
    if store is not None:
        env["SEMISUP_STORE_DIR"] = store
    if world > 1:
        env.update({"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(world),
                    "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "SEMISUP_TRAINER_TIMEOUT_SECONDS": "60"})
    else:
        for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
            env.pop(name, None)
    env.update(extra or {})
    return env


def start_group(run_spec, store, world, step="teacher", log_folder=None, extra=None):
    """world ranks of `python3 -m semisup_trainer step`, each with its own torchrun-style environment; store None:
    the spec's S3 store."""
    port = free_port()
    started = time.time_ns()
    ranks = []
    for rank in range(world):
        log = open(os.path.join(log_folder or store, f"group-{started}-rank-{rank}.log"), "wb")
        ranks.append(subprocess.Popen([PYTHON, "-m", "semisup_trainer", step], cwd=TRAINER, stdout=log,
                                      stderr=subprocess.STDOUT, env=rank_env(run_spec, store, world, rank, port, extra)))
        log.close()
    return ranks


def wait_all(ranks, timeout=120):
    return [rank.wait(timeout=timeout) for rank in ranks]


def last_log(store, rank=0):
    """The log of `rank` in the group started last."""
    names = sorted(n for n in os.listdir(store) if n.startswith("group-") and n.endswith(f"-rank-{rank}.log"))
    with open(os.path.join(store, names[-1]), errors="replace") as f:
        return f.read()


def step_folder(store, step="teacher"):
    return os.path.join(store, "runs", "local", "test", step)


def parameters(store, step="teacher"):
    import torch
    module = torch.jit.load(os.path.join(step_folder(store, step), "model.pt"))
    return {k: v.clone() for k, v in module.state_dict().items()}


def logs(folder):
    text = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("group-") and name.endswith(".log"):
            with open(os.path.join(folder, name), errors="replace") as f:
                text.append(f"--- {name}\n{f.read()[-3000:]}")
    return "\n".join(text)


if __name__ == "__main__":
    sys.exit(0)
