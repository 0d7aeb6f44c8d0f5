"""The worker's augmentation (data/Augmentation) on 8-bit batches, in tensors:
- standard: a random crop of the image padded with black by max(1, size/8) pixels, then a horizontal flip with
  p = 0.5 when flips keep the class;
- strong (noise.strongAugmentation): brightness then contrast jitter (factors in [0.6, 1.4], contrast around
  the image's mean grey), the crop and flip, then a rectangle (sides in [size/8, size/2]) erased to 0 after
  normalisation.
The draws are made for the whole GLOBAL batch from a generator seeded by (seed, epoch, batch) and each rank takes
its rows, so a sample is augmented the same whatever the world size. Same rules as the worker, not its
generator: the floats differ from the worker's."""

import torch

JITTER = 0.4


class Augmentation:

    def __init__(self, data, strong):
        self.size = data.image_size
        self.channels = data.channels
        self.padding = max(1, self.size // 8)
        self.flips = data.flips
        self.strong = strong
        self.mean = torch.tensor(data.mean).view(1, -1, 1, 1)
        self.std = torch.tensor(data.std).view(1, -1, 1, 1)

    def draws(self, count, seed):
        """Every random choice of a global batch of count images, one row per image."""
        g = torch.Generator().manual_seed(seed)
        p, s = self.padding, self.size
        d = {"dy": torch.randint(-p, p + 1, (count,), generator=g), "dx": torch.randint(-p, p + 1, (count,), generator=g),
             "flip": torch.randint(0, 2, (count,), generator=g).bool() & self.flips}
        if self.strong:
            d["brightness"] = 1 - JITTER + 2 * JITTER * torch.rand(count, generator=g)
            d["contrast"] = 1 - JITTER + 2 * JITTER * torch.rand(count, generator=g)
            smallest = max(1, s // 8)
            largest = max(smallest, s // 2)
            d["height"] = torch.randint(smallest, largest + 1, (count,), generator=g)
            d["width"] = torch.randint(smallest, largest + 1, (count,), generator=g)
            d["top"] = (torch.rand(count, generator=g) * (s - d["height"] + 1)).long()
            d["left"] = (torch.rand(count, generator=g) * (s - d["width"] + 1)).long()
        return d

    @staticmethod
    def rows(draws, selected):
        return {name: values[selected] for name, values in draws.items()}

    def normalise(self, images):
        return (images.float() / 255.0 - self.mean) / self.std

    def apply(self, images, draws):
        """uint8 N x C x S x S -> normalised, augmented float32."""
        pixels = images.float()
        if self.strong:
            pixels = self._jitter(pixels, draws["brightness"], draws["contrast"])
        p, s = self.padding, self.size
        padded = torch.nn.functional.pad(pixels, (p, p, p, p))
        out = torch.empty_like(pixels)
        for i in range(pixels.shape[0]):
            top, left = p + int(draws["dy"][i]), p + int(draws["dx"][i])
            crop = padded[i, :, top:top + s, left:left + s]
            out[i] = crop.flip(-1) if draws["flip"][i] else crop
        out = (out / 255.0 - self.mean) / self.std
        if self.strong:
            for i in range(out.shape[0]):
                top, left = int(draws["top"][i]), int(draws["left"][i])
                out[i, :, top:top + int(draws["height"][i]), left:left + int(draws["width"][i])] = 0.0
        return out

    def _jitter(self, pixels, brightness, contrast):
        if self.channels == 1:
            grey = pixels.mean(dim=(1, 2, 3))
        else:
            grey = (0.299 * pixels[:, 0] + 0.587 * pixels[:, 1] + 0.114 * pixels[:, 2]).mean(dim=(1, 2))
        b = brightness.view(-1, 1, 1, 1)
        c = contrast.view(-1, 1, 1, 1)
        level = torch.clamp(grey.view(-1, 1, 1, 1) * b, max=255.0)
        bright = torch.clamp(pixels * b, max=255.0)
        return torch.clamp((bright - level) * c + level, 0.0, 255.0)
