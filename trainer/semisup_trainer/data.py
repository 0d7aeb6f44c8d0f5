"""The examples a step trains on, as map-style sets: a global index i -> (8-bit image, target). The trainer
draws each epoch's order over the indices, so every rank can read just its share of a global batch.

- idx files (gz or plain): read whole (a labeled or validation set is small by definition), with the
  worker's limit and its perClass choice (LabeledSubset: a reservoir per class with SplittableRandom).
- pack's tar shards: the members' offsets are indexed once from the tar headers; a batch reads only its
  own samples (ranged reads on S3).
"""

import gzip
import io
import json
import re
import struct
import tarfile

import numpy as np
import torch

from .errors import BadInput
from .javarandom import SplittableRandom

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
_SHARD = re.compile(r"(^|/)shard-[0-9]{5}-of-[0-9]{5}\.tar$")


def _read_all(blobs, uri, field):
    with blobs.open(uri, field) as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise BadInput(f"{field}: {uri}: not a readable gzip file ({e})") from e
    return raw


def _idx(raw, uri, field, magic):
    if len(raw) < 8:
        raise BadInput(f"{field}: {uri}: truncated IDX header")
    found, count = struct.unpack(">iI", raw[:8])
    if found != magic:
        kind = "images" if magic == IMAGES_MAGIC else "labels"
        raise BadInput(f"{field}: {uri}: magic 0x{found:08x} is not an IDX {kind} file (0x{magic:08x})")
    if magic == LABELS_MAGIC:
        body = np.frombuffer(raw, dtype=np.uint8, offset=8)
        if len(body) < count:
            raise BadInput(f"{field}: {uri}: truncated: {len(body)} of {count} labels")
        return body[:count]
    if len(raw) < 16:
        raise BadInput(f"{field}: {uri}: truncated IDX header")
    rows, cols = struct.unpack(">II", raw[8:16])
    body = np.frombuffer(raw, dtype=np.uint8, offset=16)
    if len(body) < count * rows * cols:
        raise BadInput(f"{field}: {uri}: truncated: {len(body)} bytes for {count} images of {rows}x{cols}")
    return body[:count * rows * cols].reshape(count, rows, cols)


def choose_per_class(labels, classes, per_class, seed, where):
    """LabeledSubset.choose: perClass ordinals of every class, reservoir-sampled with SplittableRandom(seed), sorted."""
    reservoirs = [[0] * per_class for _ in range(classes)]
    seen = [0] * classes
    random = SplittableRandom(seed)
    for ordinal, label in enumerate(labels.tolist()):
        if label >= classes:
            raise BadInput(f"{where}: image #{ordinal} has label {label}, outside 0..{classes - 1} (spec.data.classes)")
        index = seen[label]
        seen[label] += 1
        if index < per_class:
            reservoirs[label][index] = ordinal
        else:
            slot = random.next_long_below(index + 1)
            if slot < per_class:
                reservoirs[label][slot] = ordinal
    for c in range(classes):
        if seen[c] < per_class:
            raise BadInput(f"{where}: class {c} has {seen[c]} images, fewer than perClass {per_class}")
    return sorted(o for reservoir in reservoirs for o in reservoir)


def fit(images, channels, size):
    """ImageGeometry's fit for idx images of another size or channel count: centre square, resized
    (area average shrinking, bilinear enlarging). Same rule, not the worker's exact arithmetic."""
    x = torch.from_numpy(np.array(images)).unsqueeze(1).float()
    height, width = x.shape[2], x.shape[3]
    side = min(height, width)
    if height != width:
        top, left = (height - side) // 2, (width - side) // 2
        x = x[:, :, top:top + side, left:left + side]
    if side > size:
        x = torch.nn.functional.interpolate(x, size=(size, size), mode="area")
    elif side < size:
        x = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    x = x.round().clamp(0, 255).to(torch.uint8)
    return x.expand(-1, channels, -1, -1).contiguous()


class ImageSet:
    """Images held in memory (uint8, N x C x S x S) with one target vector each."""

    def __init__(self, images, targets, describe):
        self.images = images
        self.targets = targets
        self.describe = describe

    def __len__(self):
        return self.images.shape[0]

    def batch(self, indices):
        return self.images[indices], self.targets[indices]


def read_idx(source, data, blobs, per_class=True):
    """The labeled set (limit, then perClass) or the validation set (limit only) of an idx source, as the worker
    picks them."""
    if source.format != "idx":
        raise BadInput(f"{source.field}.format: the torch-ddp trainer reads idx data, not '{source.format}'")
    if not source.labels_uri:
        raise BadInput(f"{source.field}.labelsUri: an idx training or validation set needs its labels file")
    images = _idx(_read_all(blobs, source.uri, source.field + ".uri"), source.uri, source.field + ".uri", IMAGES_MAGIC)
    labels = _idx(_read_all(blobs, source.labels_uri, source.field + ".labelsUri"), source.labels_uri,
                  source.field + ".labelsUri", LABELS_MAGIC)
    if len(labels) != len(images):
        raise BadInput(f"{source.field}.labelsUri: {len(labels)} labels for {len(images)} images in {source.uri}")
    end = len(images) if source.limit is None else min(len(images), source.limit)
    images, labels = images[:end], labels[:end]
    if per_class and source.per_class is not None:
        chosen = choose_per_class(labels, data.classes, source.per_class, source.seed, source.uri)
        images, labels = images[chosen], labels[chosen]
    if len(images) == 0:
        raise BadInput(f"{source.field}: {source.uri} holds no images")
    if labels.max() >= data.classes:
        raise BadInput(f"{source.field}: {source.uri}: label {labels.max()} outside 0..{data.classes - 1} (spec.data.classes)")
    if images.shape[1:] == (data.image_size, data.image_size) and data.channels == 1:
        pixels = torch.from_numpy(np.array(images)).unsqueeze(1)
    else:
        pixels = fit(images, data.channels, data.image_size)
    targets = torch.nn.functional.one_hot(torch.from_numpy(labels.astype(np.int64)), data.classes).float()
    return ImageSet(pixels, targets, source.uri)


class PackedShards:
    """pack's shards as a map-style set. Sample i is one group of consecutive members (image, .cls, .json), indexed
    once from the tar headers (read through a large buffer: a few ranged GETs per shard on S3) into flat arrays;
    a batch reads each of its samples' members with one ranged read."""

    INDEX_BUFFER = 8 << 20
    # Per sample: shard, start of its first member's data, bytes to its last member's end, then (offset from
    # start, size) of the image, the .cls and the .json (size -1: absent).
    COLUMNS = 9

    def __init__(self, store, folder, data, soft):
        self.store = store
        self.data = data
        self.soft = soft
        keys = [k for k in store.list(folder + "/shard-") if _SHARD.search(k)]
        if not keys:
            raise BadInput(f"{store.uri(folder)}: no packed shard-*.tar: has the pack step finished?")
        self.keys = keys
        parts = [self._index(shard, key) for shard, key in enumerate(keys)]
        self.samples = np.concatenate(parts) if parts else np.zeros((0, self.COLUMNS), dtype=np.int64)
        if len(self.samples) == 0:
            raise BadInput(f"{store.uri(folder)}: the packed shards hold no samples")
        self.describe = store.uri(folder)
        self._files = {}

    def _index(self, shard, key):
        rows = []
        current, members = None, {}

        def close_group():
            if current is None:
                return
            image = members.get("png") or members.get("jpg") or members.get("jpeg")
            if image is None or "cls" not in members or (self.soft and "json" not in members):
                missing = "image" if image is None else ".cls" if "cls" not in members else ".json"
                raise BadInput(f"{self.store.uri(key)}: sample {current} lacks its {missing} member "
                               "(a packed sample is .png|.jpg, .cls and .json)")
            wanted = [image, members["cls"], members.get("json", (0, -1))]
            start = min(offset for offset, size in wanted if size >= 0)
            end = max(offset + size for offset, size in wanted if size >= 0)
            row = [shard, start, end - start]
            for offset, size in wanted:
                row += [offset - start if size >= 0 else 0, size]
            rows.append(row)

        with self.store.open(key) as raw, tarfile.open(fileobj=_buffered(raw, self.INDEX_BUFFER), mode="r:") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                base, _, extension = member.name.rpartition(".")
                # A sample's members are consecutive: a new base name starts the next sample.
                if base != current:
                    close_group()
                    current, members = base, {}
                members[extension.lower()] = (member.offset_data, member.size)
            close_group()
        return np.array(rows, dtype=np.int64).reshape(-1, self.COLUMNS)

    def __len__(self):
        return len(self.samples)

    def _read(self, shard, start, length):
        f = self._files.get(shard)
        if f is None:
            f = self._files[shard] = self.store.open(self.keys[shard])
        f.seek(start)
        return f.read(length)

    def batch(self, indices):
        from PIL import Image
        size, channels, classes = self.data.image_size, self.data.channels, self.data.classes
        images = torch.empty((len(indices), channels, size, size), dtype=torch.uint8)
        targets = torch.zeros((len(indices), classes))
        for row, index in enumerate(indices.tolist()):
            shard, start, length, image_at, image_size, cls_at, cls_size, json_at, json_size = self.samples[index].tolist()
            where = f"{self.store.uri(self.keys[shard])}: sample {index}"
            sample = self._read(shard, start, length)
            with Image.open(io.BytesIO(sample[image_at:image_at + image_size])) as decoded:
                picture = decoded.convert("L" if channels == 1 else "RGB")
            picture = _centre_square(picture, size)
            array = np.asarray(picture, dtype=np.uint8)
            images[row] = torch.from_numpy(array.reshape(size, size, channels).transpose(2, 0, 1).copy())
            label = int(sample[cls_at:cls_at + cls_size].decode("ascii").strip())
            if not 0 <= label < classes:
                raise BadInput(f"{where}: class {label} outside 0..{classes - 1} (spec.data.classes)")
            if self.soft:
                target = json.loads(sample[json_at:json_at + json_size])
                ids, probabilities = target.get("classes"), target.get("probabilities")
                if not ids or not probabilities or len(ids) != len(probabilities):
                    raise BadInput(f"{where}.json: needs \"classes\" and \"probabilities\" arrays of one length")
                weights = torch.tensor(probabilities, dtype=torch.float32)
                targets[row, torch.tensor(ids)] = weights / weights.sum()
            else:
                targets[row, label] = 1.0
        return images, targets

    def close(self):
        for f in self._files.values():
            f.close()
        self._files.clear()


def _buffered(f, size):
    """A file read through a buffer of `size` (a local file already is: its own is kept)."""
    return f if isinstance(f, io.BufferedIOBase) else io.BufferedReader(f, buffer_size=size)


def _centre_square(picture, size):
    width, height = picture.size
    if width == height == size:
        return picture
    from PIL import Image
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    square = picture.crop((left, top, left + side, top + side))
    return square.resize((size, size), Image.BOX if side > size else Image.BILINEAR)
