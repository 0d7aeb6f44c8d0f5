"""The object store the run's artifacts live in, and the data URIs it reads (file:// and s3://).

Local mode: SEMISUP_STORE_DIR is the directory `semisup run --store DIR` uses; key a/b is the file DIR/a/b,
written to a temporary file beside it and renamed over it, as the worker's LocalDirectoryStore does.
S3: spec.storage.endpoint and bucket, credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, through boto3
(Debian package python3-boto3). Either way SEMISUP_STORE_PREFIX is the run's key prefix.
"""

import io
import os
import uuid
from urllib.parse import unquote, urlparse

from .errors import BadInput

ENV_STORE_DIR = "SEMISUP_STORE_DIR"
ENV_STORE_PREFIX = "SEMISUP_STORE_PREFIX"
PARTIAL_PREFIX = ".partial-"


class DirectoryStore:

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def _path(self, key):
        return os.path.join(self.root, *key.split("/"))

    def uri(self, key):
        return "file://" + self._path(key)

    def exists(self, key):
        return os.path.isfile(self._path(key))

    def get(self, key):
        with open(self._path(key), "rb") as f:
            return f.read()

    def open(self, key):
        return open(self._path(key), "rb")

    def put(self, key, data):
        target = self._path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        temp = os.path.join(os.path.dirname(target), PARTIAL_PREFIX + uuid.uuid4().hex + "-" + os.path.basename(target))
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)

    def delete(self, key):
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass

    def list(self, prefix):
        """Keys starting with prefix, sorted; temporary files are never listed."""
        folder = prefix[:prefix.rfind("/")] if "/" in prefix else ""
        start = self._path(folder) if folder else self.root
        keys = []
        for directory, _, files in os.walk(start):
            for name in files:
                if name.startswith(PARTIAL_PREFIX):
                    continue
                key = os.path.relpath(os.path.join(directory, name), self.root).replace(os.sep, "/")
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)


class S3Store:

    def __init__(self, client, bucket):
        self.client = client
        self.bucket = bucket

    def uri(self, key):
        return f"s3://{self.bucket}/{key}"

    def exists(self, key):
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def get(self, key):
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def open(self, key):
        return RangedObject(self.client, self.bucket, key)

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def list(self, prefix):
        keys = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)


class RangedObject(io.RawIOBase):
    """A seekable read-only view of one S3 object through ranged GETs, so a tar shard's members are read
    without downloading the shard."""

    def __init__(self, client, bucket, key):
        super().__init__()
        self.client, self.bucket, self.key = client, bucket, key
        self.size = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
        self.position = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def read(self, size=-1):
        end = self.size if size is None or size < 0 else min(self.size, self.position + size)
        if end <= self.position:
            return b""
        body = self.client.get_object(Bucket=self.bucket, Key=self.key,
                                      Range=f"bytes={self.position}-{end - 1}")["Body"].read()
        self.position += len(body)
        return body

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _s3_client(storage, env):
    try:
        import boto3
        from botocore.config import Config
    except ImportError as e:
        raise BadInput("spec.storage.endpoint names an S3 store, but boto3 is not installed "
                       "(Debian package python3-boto3, or pip install boto3)") from e
    return boto3.client("s3", endpoint_url=storage.endpoint, region_name=storage.region,
                        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
                        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 10, "mode": "standard"}))


class RunStore:
    """The store with the run's prefix: keys given here are relative to the run (ObjectLayout's keys)."""

    def __init__(self, store, prefix, blobs):
        self.store = store
        self.prefix = (prefix or "").strip("/")
        self.blobs = blobs

    def key(self, relative):
        return relative if not self.prefix else self.prefix + "/" + relative

    def uri(self, relative):
        return self.store.uri(self.key(relative))

    def exists(self, relative):
        return self.store.exists(self.key(relative))

    def get(self, relative):
        return self.store.get(self.key(relative))

    def open(self, relative):
        return self.store.open(self.key(relative))

    def put(self, relative, data):
        self.store.put(self.key(relative), data)

    def delete(self, relative):
        self.store.delete(self.key(relative))

    def list(self, relative_prefix):
        full = self.key(relative_prefix)
        cut = len(self.key(""))
        return [key[cut:] for key in self.store.list(full)]


class Blobs:
    """Opens data URIs: file:///path, a plain path, or s3://bucket/key at the run's endpoint."""

    def __init__(self, storage, env):
        self.storage = storage
        self.env = env
        self._client = None

    def open(self, uri, field):
        parsed = urlparse(uri)
        if parsed.scheme in ("", "file"):
            path = unquote(parsed.path) if parsed.scheme else uri
            try:
                return open(path, "rb")
            except FileNotFoundError as e:
                raise BadInput(f"{field}: {uri} does not exist") from e
        if parsed.scheme == "s3":
            if not self.storage.endpoint:
                raise BadInput(f"{field}: {uri} is on S3 but spec.storage.endpoint is not set")
            if self._client is None:
                self._client = _s3_client(self.storage, self.env)
            store = S3Store(self._client, parsed.netloc)
            key = parsed.path.lstrip("/")
            if not store.exists(key):
                raise BadInput(f"{field}: {uri} does not exist")
            return io.BufferedReader(store.open(key), buffer_size=1 << 20)
        raise BadInput(f"{field}: {uri}: the trainer reads file:// and s3:// URIs")


def open_run_store(storage, env=os.environ):
    blobs = Blobs(storage, env)
    prefix = env.get(ENV_STORE_PREFIX, "")
    directory = env.get(ENV_STORE_DIR)
    if directory:
        return RunStore(DirectoryStore(directory), prefix, blobs)
    if not storage.endpoint:
        raise BadInput(f"no store: set {ENV_STORE_DIR} (a local directory store) or spec.storage.endpoint (S3)")
    if not prefix:
        raise BadInput(f"{ENV_STORE_PREFIX}: missing (the run's key prefix in spec.storage.bucket)")
    return RunStore(S3Store(_s3_client(storage, env), storage.bucket), prefix, blobs)
