"""The trainer against a real S3 server: data read from s3:// URIs, pack's shards read member by member with
ranged GETs, the step folder and the checkpoints written to the bucket under SEMISUP_STORE_PREFIX."""

import io
import os
import shutil
import tempfile
import unittest

import torch

from . import fixtures
from .s3server import S3Server

BUCKET = "semisup"
PREFIX = "runs/team-a/s3-run"


class S3StoreTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="semisup-trainer-s3-test-")
        cls.data = os.path.join(cls.root, "data")
        fixtures.make_data(cls.data)
        cls.server = S3Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.root, ignore_errors=True)

    def test_student_on_s3_shards_trains_as_on_a_local_store_and_writes_its_folder_to_the_bucket(self):
        images, labels = fixtures.images_of(40, 5)
        shards = os.path.join(self.root, "shards")
        os.makedirs(shards)
        fixtures.write_shard(os.path.join(shards, "shard-00000-of-00002.tar"), images[:24], labels[:24], False)
        fixtures.write_shard(os.path.join(shards, "shard-00001-of-00002.tar"), images[24:], labels[24:], False)

        local = os.path.join(self.root, "local")
        shutil.copytree(shards, fixtures.step_folder(local, "packed"))
        local_spec = fixtures.spec(self.data, epochs=2, batch_size=8, checkpoint_every=2)
        self.assertEqual([0], fixtures.wait_all(fixtures.start_group(local_spec, local, 1, "student")),
                         fixtures.logs(local))

        s3 = self.server.client()
        s3.create_bucket(Bucket=BUCKET)
        for name in os.listdir(shards):
            s3.upload_file(os.path.join(shards, name), BUCKET, f"{PREFIX}/packed/{name}")
        for name in os.listdir(self.data):
            s3.upload_file(os.path.join(self.data, name), BUCKET, f"data/{name}")
        s3_spec = fixtures.spec(self.data, epochs=2, batch_size=8, checkpoint_every=2)
        s3_spec["storage"] = {"endpoint": self.server.endpoint, "bucket": BUCKET}
        for source in ("labeled", "validation"):
            for field in ("uri", "labelsUri"):
                name = os.path.basename(s3_spec["data"][source][field])
                s3_spec["data"][source][field] = f"s3://{BUCKET}/data/{name}"
        logs = os.path.join(self.root, "s3-logs")
        os.makedirs(logs)
        extra = dict(self.server.env(), SEMISUP_STORE_PREFIX=PREFIX)
        ranks = fixtures.start_group(s3_spec, None, 2, "student", log_folder=logs, extra=extra)
        self.assertEqual([0, 0], fixtures.wait_all(ranks), fixtures.logs(logs))

        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/student/")["Contents"]]
        for name in ("model.pt", "model-card.json", "history.json", "metrics.json", "progress.json", "_SUCCESS"):
            self.assertIn(f"{PREFIX}/student/{name}", keys)
        checkpoints = [k for k in keys if "/checkpoints/" in k]
        # The newest two kept, the older ones deleted from the bucket.
        self.assertEqual([f"{PREFIX}/student/checkpoints/epoch-0001.step-000000004.pt",
                          f"{PREFIX}/student/checkpoints/epoch-0002.pt"], sorted(checkpoints))
        model = torch.jit.load(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/student/model.pt")["Body"].read()))
        on_s3 = {k: v for k, v in model.state_dict().items()}
        on_disk = fixtures.parameters(local, "student")
        difference = max((on_s3[k] - on_disk[k]).abs().max().item() for k in on_disk)
        self.assertLess(difference, 1e-5)
