"""The pure parts: Java's SplittableRandom (the labeled subset's choice), the learning-rate schedule, the
augmentation's independence from the rank split."""

import shutil
import tempfile
import unittest

import numpy as np
import torch

from semisup_trainer import data, schedule, spec
from semisup_trainer.store import Blobs

from . import fixtures
from semisup_trainer.augment import Augmentation
from semisup_trainer.javarandom import SplittableRandom


class JavaRandomTest(unittest.TestCase):

    def test_splittable_random_gives_javas_values(self):
        # java.util.SplittableRandom(42): nextLong() x3, then nextLong(bound) for each bound; (-5): nextLong, nextLong(100).
        random = SplittableRandom(42)
        values = [random.next_long() for _ in range(3)]
        values += [random.next_long_below(b) for b in (7, 1 << 40, 1000000007, (1 << 62) + 12345, 2, 3)]
        other = SplittableRandom(-5)
        values += [other.next_long(), other.next_long_below(100)]
        self.assertEqual([-4767286540954276203, 2949826092126892291, 5139283748462763858, 1, 387155764210, 775560989,
                          2014432356388812462, 0, 0, 1635312068028924514, 52], values)

    def test_per_class_choice_is_seeded_sorted_and_per_class(self):
        labels = np.array([i % 3 for i in range(30)], dtype=np.uint8)
        chosen = data.choose_per_class(labels, 3, 4, 11, "labels")
        self.assertEqual(sorted(chosen), chosen)
        self.assertEqual([4, 4, 4], [sum(1 for o in chosen if labels[o] == c) for c in range(3)])
        self.assertEqual(chosen, data.choose_per_class(labels, 3, 4, 11, "labels"))
        self.assertNotEqual(chosen, data.choose_per_class(labels, 3, 4, 12, "labels"))


class LabeledSubsetTest(unittest.TestCase):

    def test_limit_and_per_class_pick_the_worker_s_ordinals(self):
        # The expected ordinals are what the worker's LabeledSubset.choose returned for these files (IdxSource,
        # limit 450, 7 per class, seed 1234567).
        folder = tempfile.mkdtemp(prefix="semisup-trainer-subset-")
        self.addCleanup(shutil.rmtree, folder, True)
        count = 500
        labels = np.array([(i * i + 3 * i + i // 5) % 4 for i in range(count)], dtype=np.uint8)
        images = np.zeros((count, 8, 8), dtype=np.uint8)
        images[:, 0, 0] = np.arange(count) % 256
        images[:, 0, 1] = np.arange(count) // 256
        images_path, labels_path = fixtures.write_idx(folder, "sub", images, labels, compress=True)
        run = spec.parse({"data": {"classes": 4, "imageSize": 8, "validation": None, "labeled": {
            "uri": "file://" + images_path, "labelsUri": "file://" + labels_path, "format": "idx",
            "limit": 450, "perClass": 7, "seed": 1234567}}})
        chosen = data.read_idx(run.data.labeled, run.data, Blobs(run.storage, {}))
        ordinals = (chosen.images[:, 0, 0, 0].long() + 256 * chosen.images[:, 0, 0, 1].long()).tolist()
        self.assertEqual([1, 4, 8, 25, 46, 68, 72, 73, 74, 93, 99, 117, 120, 162, 187, 223, 227, 237, 244, 257, 274,
                          289, 292, 294, 347, 369, 403, 429], ordinals)
        self.assertEqual(labels[ordinals].tolist(), chosen.targets.argmax(1).tolist())


class ScheduleTest(unittest.TestCase):

    def test_warm_up_then_cosine_to_zero(self):
        self.assertAlmostEqual(0.1 / 10, schedule.learning_rate("cosine", 0.1, 0, 100, 10))
        self.assertAlmostEqual(0.1, schedule.learning_rate("cosine", 0.1, 10, 100, 10))
        self.assertAlmostEqual(0.05, schedule.learning_rate("cosine", 0.1, 55, 100, 10))
        self.assertAlmostEqual(0.001, schedule.learning_rate("step", 0.1, 90, 100, 10))
        self.assertAlmostEqual(0.1, schedule.learning_rate("constant", 0.1, 99, 100, 10))


class AugmentationTest(unittest.TestCase):

    def test_a_sample_is_augmented_alike_whatever_rank_reads_it(self):
        data_spec = spec.parse({"data": {"classes": 2, "imageSize": 8,
                                         "labeled": {"uri": "file:///x", "format": "idx"}}}).data
        augmentation = Augmentation(data_spec, strong=True)
        images = torch.randint(0, 256, (6, 1, 8, 8), dtype=torch.uint8)
        draws = augmentation.draws(6, 99)
        whole = augmentation.apply(images, draws)
        parts = [augmentation.apply(images[rows], Augmentation.rows(draws, rows))
                 for rows in torch.tensor_split(torch.arange(6), 4)]
        self.assertTrue(torch.equal(whole, torch.cat(parts)))
        self.assertFalse(torch.equal(whole, augmentation.apply(images, augmentation.draws(6, 100))))
