"""The trainer's networks are the worker's: the worker (DJL) builds each architecture from a seed, writes its
parameters (model.params) and its class probabilities for a fixed input; the trainer reads those parameters into
its own network, which must compute the same probabilities. A fine-tune then starts from such a djl student."""

import os
import shutil
import tempfile
import unittest

import numpy as np
import torch

from semisup_trainer import djl_parameters, models
from semisup_trainer.spec import Noise

from . import fixtures
from .java import run_source


# name: (architecture, channels, size, classes); resnet18 at 72 px takes the 7x7 stem and max-pool, the others the
# small-image 3x3 stem.
NETWORKS = {"cnn-small": ("cnn-small", 1, 8, 4), "cnn-large": ("cnn-large", 3, 8, 5),
            "resnet18": ("resnet18", 3, 72, 3), "resnet50": ("resnet50", 1, 8, 4)}
IMAGES = 2


def fixed_input(channels, size):
    pixels = channels * size * size
    return torch.tensor(np.sin(0.37 * np.arange(IMAGES * pixels)), dtype=torch.float32).view(IMAGES, channels, size, size)


class WorkerNetworksTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="semisup-trainer-djl-")
        run_source("DjlReference.java", cls.folder,
                   *(f"{name}:{a}:{c}:{s}:{k}:{IMAGES}" for name, (a, c, s, k) in NETWORKS.items()))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def worker_network(self, name):
        folder = os.path.join(self.folder, name)
        classes = NETWORKS[name][3]
        with open(os.path.join(folder, "probabilities.bin"), "rb") as f:
            probabilities = np.frombuffer(f.read(), dtype=">f4").astype(np.float32).reshape(IMAGES, classes)
        with open(os.path.join(folder, "model.params"), "rb") as f:
            return f.read(), torch.from_numpy(probabilities)

    def test_each_architecture_computes_what_the_workers_computes_with_its_parameters(self):
        for name, (architecture, channels, size, classes) in NETWORKS.items():
            with self.subTest(architecture=architecture):
                parameters, expected = self.worker_network(name)
                network = models.build(architecture, channels, size, classes, Noise.none())
                network.load_state_dict(djl_parameters.state_dict(parameters, network, architecture))
                network.eval()
                with torch.no_grad():
                    probabilities = torch.softmax(network(fixed_input(channels, size)), dim=1)
                self.assertLess((probabilities - expected).abs().max().item(), 1e-5)

    def test_parameters_of_another_architecture_are_refused_naming_the_parameter(self):
        parameters, _ = self.worker_network("cnn-small")
        network = models.build("cnn-large", 1, 8, 4, Noise.none())
        with self.assertRaisesRegex(djl_parameters.NotParameters, "parameter|holds"):
            djl_parameters.state_dict(parameters, network, "model.params")

    def test_finetune_starts_from_a_djl_students_parameters(self):
        root = tempfile.mkdtemp(prefix="semisup-trainer-djl-finetune-")
        self.addCleanup(shutil.rmtree, root, True)
        data = os.path.join(root, "data")
        fixtures.make_data(data)
        store = os.path.join(root, "store")
        student = fixtures.step_folder(store, "student")
        os.makedirs(student)
        parameters, _ = self.worker_network("cnn-small")
        with open(os.path.join(student, "model.params"), "wb") as f:
            f.write(parameters)
        run_spec = fixtures.spec(data, epochs=1, batch_size=16)
        self.assertEqual([0], fixtures.wait_all(fixtures.start_group(run_spec, store, 1, "finetune")),
                         fixtures.logs(store))
        self.assertTrue(os.path.exists(os.path.join(fixtures.step_folder(store, "finetune"), "_SUCCESS")))

        wrong = os.path.join(root, "wrong")
        os.makedirs(fixtures.step_folder(wrong, "student"))
        with open(os.path.join(fixtures.step_folder(wrong, "student"), "model.params"), "wb") as f:
            f.write(parameters)
        wrong_spec = fixtures.spec(data, architecture="resnet18", epochs=1, batch_size=16)
        self.assertEqual([2], fixtures.wait_all(fixtures.start_group(wrong_spec, wrong, 1, "finetune")))
        self.assertIn("student/model.params: holds", fixtures.logs(wrong))
