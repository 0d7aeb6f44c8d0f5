"""The reference trainer end to end: processes started with the torchrun environment on CPU (gloo), a local
directory store, small seeded idx data and pack-style shards."""

import io
import json
import os
import shutil
import signal
import tarfile
import subprocess
import tempfile
import time
import unittest

import torch

from . import fixtures

ARTIFACTS = ("model.pt", "model-card.json", "history.json", "metrics.json", "progress.json")


def max_difference(first, second):
    return max((first[k].double() - second[k].double()).abs().max().item() for k in first)


class TrainerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="semisup-trainer-test-")
        cls.data = os.path.join(cls.root, "data")
        fixtures.make_data(cls.data)
        cls.finished = {}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def store(self, name):
        path = os.path.join(self.root, name)
        os.makedirs(path)
        return path

    def train(self, run_spec, world, step="teacher", store=None, extra=None):
        store = store or self.store(f"{self._testMethodName}-{world}-{time.monotonic_ns()}")
        codes = fixtures.wait_all(fixtures.start_group(run_spec, store, world, step, extra=extra))
        self.assertEqual([0] * world, codes, fixtures.logs(store))
        return store

    def trained(self, run_spec, world):
        """The store of a finished teacher run of this spec on this many ranks, trained once for the class (the
        tests that use it only read it)."""
        key = (json.dumps(run_spec, sort_keys=True), world)
        if key not in self.finished:
            self.finished[key] = self.train(run_spec, world, store=self.store(f"shared-{len(self.finished)}"))
        return self.finished[key]

    def test_two_ranks_train_the_parameters_of_one_rank_with_the_same_global_batch(self):
        # cnn-small has batch-norm after every convolution: equal only because its statistics are the global batch's.
        run_spec = fixtures.spec(self.data, epochs=2, batch_size=16)
        one = fixtures.parameters(self.trained(run_spec, 1))
        two = fixtures.parameters(self.trained(run_spec, 2))
        self.assertLess(max_difference(one, two), 1e-5)
        other_seed = fixtures.parameters(self.train(fixtures.spec(self.data, epochs=2, batch_size=16, seed=8), 1))
        self.assertGreater(max_difference(one, other_seed), 1e-3)

    def test_a_rank_left_without_examples_by_the_last_partial_batch_still_trains_as_one_rank(self):
        # labeled.limit 81 with batches of 16: the last global batch holds one example, rank 1 gets none.
        run_spec = fixtures.spec(self.data, epochs=2, batch_size=16)
        run_spec["data"]["labeled"]["limit"] = 81
        one = fixtures.parameters(self.train(run_spec, 1))
        two = fixtures.parameters(self.train(run_spec, 2))
        # Looser than with full batches: batch-norm over one image's few deep positions amplifies rounding.
        self.assertLess(max_difference(one, two), 1e-4)

    def test_noisy_student_on_packed_shards_trains_alike_on_one_and_two_ranks(self):
        # Soft targets, strong augmentation, stochastic depth (residual blocks skipped alike on every rank).
        run_spec = fixtures.spec(self.data, architecture="cnn-large", epochs=1, batch_size=12, soft=True,
                                 noise={"strongAugmentation": True, "stochasticDepth": 0.5})
        images, labels = fixtures.images_of(60, 3)
        results = []
        for world in (1, 2):
            store = self.store(f"student-{world}")
            packed = os.path.join(fixtures.step_folder(store, "packed"))
            os.makedirs(packed)
            fixtures.write_shard(os.path.join(packed, "shard-00000-of-00002.tar"), images[:36], labels[:36], True)
            fixtures.write_shard(os.path.join(packed, "shard-00001-of-00002.tar"), images[36:], labels[36:], True)
            self.train(run_spec, world, "student", store)
            results.append(fixtures.parameters(store, "student"))
        self.assertLess(max_difference(*results), 1e-5)
        with open(os.path.join(fixtures.step_folder(store, "student"), "metrics.json")) as f:
            self.assertEqual(60, json.load(f)["trainImages"])

    def test_group_restarted_after_a_rank_is_sigkilled_mid_epoch_ends_as_an_uninterrupted_run(self):
        run_spec = fixtures.spec(self.data, epochs=3, batch_size=8, checkpoint_every=2)
        uninterrupted = fixtures.parameters(self.train(run_spec, 2))

        store = self.store("killed")
        folder = fixtures.step_folder(store)
        ranks = fixtures.start_group(run_spec, store, 2)
        mid_epoch = os.path.join(folder, "checkpoints", "epoch-0001.step-000000002.pt")
        deadline = time.monotonic() + 90
        while not os.path.exists(mid_epoch) and time.monotonic() < deadline and ranks[1].poll() is None:
            time.sleep(0.005)
        self.assertTrue(os.path.exists(mid_epoch), fixtures.logs(store))
        ranks[1].send_signal(signal.SIGKILL)
        self.assertEqual(-signal.SIGKILL, ranks[1].wait(timeout=30))
        # The Job controller's part: the other rank fails on its own or is stopped, and the group starts again.
        try:
            code = ranks[0].wait(timeout=60)
            self.assertNotIn(code, (0, 2), fixtures.logs(store))
        except subprocess.TimeoutExpired:
            ranks[0].kill()
            ranks[0].wait()
        self.assertFalse(os.path.exists(os.path.join(folder, "_SUCCESS")))
        self.assertFalse(os.path.exists(os.path.join(folder, "model.pt")))
        newest = sorted(name for name in os.listdir(os.path.join(folder, "checkpoints")) if name.endswith(".pt"))[-1]
        self.assertIn(".step-", newest, "the kill came after the epoch ended: nothing mid-epoch to resume")

        self.train(run_spec, 2, store=store)
        self.assertIn("resuming from file://" + os.path.join(folder, "checkpoints", newest), fixtures.last_log(store))
        self.assertLess(max_difference(uninterrupted, fixtures.parameters(store)), 1e-6)

    def test_a_group_of_another_size_resumes_a_checkpoint_to_the_same_parameters(self):
        # A checkpoint holds no per-rank state: one written by 1 rank resumes on 2 (nodes changed between attempts).
        run_spec = fixtures.spec(self.data, epochs=2, batch_size=16, checkpoint_every=4)
        store = self.train(run_spec, 1)
        uninterrupted = fixtures.parameters(store)
        folder = fixtures.step_folder(store)
        for name in ("_SUCCESS", "model.pt", os.path.join("checkpoints", "epoch-0002.pt")):
            os.remove(os.path.join(folder, name))
        self.train(run_spec, 2, store=store)
        self.assertIn("checkpoints/epoch-0001.step-000000004.pt (epoch 2, batch 4)", fixtures.last_log(store))
        self.assertLess(max_difference(uninterrupted, fixtures.parameters(store)), 1e-5)

    def test_artifacts_are_complete_and_success_is_written_last(self):
        store = self.trained(fixtures.spec(self.data, epochs=2, batch_size=16), 2)
        folder = fixtures.step_folder(store)
        success = os.stat(os.path.join(folder, "_SUCCESS")).st_mtime_ns
        for name in ARTIFACTS:
            self.assertLessEqual(os.stat(os.path.join(folder, name)).st_mtime_ns, success, name)

        model = torch.jit.load(os.path.join(folder, "model.pt"))
        self.assertFalse(model.training)
        logits = model(torch.zeros(5, 1, fixtures.SIZE, fixtures.SIZE))
        self.assertEqual((5, fixtures.CLASSES), tuple(logits.shape))

        with open(os.path.join(folder, "model-card.json")) as f:
            card = json.load(f)
        self.assertEqual("semisup-model-card/v1", card["format"])
        self.assertEqual({"file": "model.pt", "format": "torchscript"}, card["parameters"])
        self.assertEqual(("cnn-small", ["0", "1", "2", "3"], 8, 1, "centre-square", [0.5], [0.25], "teacher"),
                         (card["architecture"], card["classes"], card["imageSize"], card["channels"], card["fit"],
                          card["mean"], card["std"], card["step"]))
        self.assertEqual(40, card["validation"]["images"])

        with open(os.path.join(folder, "history.json")) as f:
            history = json.load(f)
        self.assertEqual([1, 2], [e["epoch"] for e in history["epochs"]])
        with open(os.path.join(folder, "metrics.json")) as f:
            metrics = json.load(f)
        self.assertEqual(("teacher", "cnn-small", 2, 96), (metrics["step"], metrics["architecture"], metrics["epochs"],
                                                            metrics["trainImages"]))
        self.assertEqual(history["epochs"][-1]["validationAccuracy"], metrics["accuracy"])
        self.assertEqual(card["validation"]["accuracy"], metrics["accuracy"])
        self.assertGreater(metrics["accuracy"], 0.5, "the classes are separable: training must learn something")
        with open(os.path.join(folder, "progress.json")) as f:
            progress = json.load(f)
        self.assertEqual((2, 2, 6, 6), (progress["epoch"], progress["epochs"], progress["done"], progress["total"]))

    def test_finetune_starts_from_the_students_torchscript_model(self):
        store = self.store("finetune")
        run_spec = fixtures.spec(self.data, epochs=2, batch_size=16)
        # No student yet: bad input, not retried.
        code = fixtures.wait_all(fixtures.start_group(run_spec, store, 1, "finetune"))
        self.assertEqual([2], code)
        images, labels = fixtures.images_of(32, 4)
        packed = fixtures.step_folder(store, "packed")
        os.makedirs(packed)
        fixtures.write_shard(os.path.join(packed, "shard-00000-of-00001.tar"), images, labels, False)
        self.train(run_spec, 1, "student", store)
        student = fixtures.parameters(store, "student")
        self.train(run_spec, 1, "finetune", store)
        finetuned = fixtures.parameters(store, "finetune")
        self.assertGreater(max_difference(student, finetuned), 0)
        # Started from the student: a fresh network from the same seed ends elsewhere.
        fresh = self.trained(fixtures.spec(self.data, epochs=2, batch_size=16), 1)
        self.assertGreater(max_difference(fixtures.parameters(fresh), finetuned), 1e-3)

        other = self.store("finetune-other-architecture")
        os.makedirs(fixtures.step_folder(other, "student"))
        shutil.copy(os.path.join(fixtures.step_folder(store, "student"), "model.pt"), fixtures.step_folder(other, "student"))
        other_spec = fixtures.spec(self.data, architecture="resnet18", epochs=1, batch_size=16)
        self.assertEqual([2], fixtures.wait_all(fixtures.start_group(other_spec, other, 1, "finetune")))
        self.assertIn("student/model.pt is not a spec.student.architecture network", fixtures.last_log(other))


class BadInputTest(unittest.TestCase):

    def run_step(self, run_spec, step="teacher", prepare=None):
        store = tempfile.mkdtemp(prefix="semisup-trainer-bad-")
        try:
            if prepare:
                prepare(store)
            result = subprocess.run([fixtures.PYTHON, "-m", "semisup_trainer", step], cwd=fixtures.TRAINER,
                                    env=fixtures.rank_env(run_spec, store, 1, 0, 0), capture_output=True, text=True,
                                    timeout=60)
            return result.returncode, result.stderr
        finally:
            shutil.rmtree(store, ignore_errors=True)

    def test_missing_labeled_data_exits_2_naming_the_field(self):
        run_spec = fixtures.spec("/nonexistent")
        code, stderr = self.run_step(run_spec)
        self.assertEqual(2, code, stderr)
        self.assertIn("spec.data.labeled.uri: file:///nonexistent/train-images-idx3-ubyte.gz does not exist", stderr)

    def test_unknown_architecture_exits_2(self):
        code, stderr = self.run_step(fixtures.spec("/nonexistent", architecture="vgg"))
        self.assertEqual(2, code, stderr)
        self.assertIn("spec.teacher.architecture: 'vgg' is not one of", stderr)

    def test_unknown_step_exits_2(self):
        code, stderr = self.run_step(fixtures.spec("/nonexistent"), step="infer")
        self.assertEqual(2, code, stderr)
        self.assertIn("step id 'infer'", stderr)

    def test_a_packed_sample_without_its_label_exits_2_naming_the_shard(self):
        data = tempfile.mkdtemp(prefix="semisup-trainer-bad-data-")
        self.addCleanup(shutil.rmtree, data, True)
        fixtures.make_data(data, train=16, test=8)

        def broken_shard(store):
            packed = fixtures.step_folder(store, "packed")
            os.makedirs(packed)
            shard = os.path.join(packed, "shard-00000-of-00001.tar")
            fixtures.write_shard(shard, *fixtures.images_of(4, 1), False)
            with tarfile.open(shard) as tar:
                kept = [(m, tar.extractfile(m).read()) for m in tar.getmembers() if m.name != "0000000002.cls"]
            with tarfile.open(shard, "w") as tar:
                for member, payload in kept:
                    tar.addfile(member, io.BytesIO(payload))

        code, stderr = self.run_step(fixtures.spec(data), "student", broken_shard)
        self.assertEqual(2, code, stderr)
        self.assertIn("shard-00000-of-00001.tar: sample 0000000002 lacks its .cls member", stderr)
