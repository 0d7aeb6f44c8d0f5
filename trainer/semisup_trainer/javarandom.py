"""java.util.SplittableRandom, bit for bit: the worker chooses the labeled set's perClass images with it,
so the trainer picks the same ordinals from the same seed."""

_MASK = (1 << 64) - 1
_GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def _signed(value):
    return value - (1 << 64) if value >= (1 << 63) else value


class SplittableRandom:

    def __init__(self, seed):
        self._seed = seed & _MASK

    def next_long(self):
        """nextLong(): a signed 64-bit value."""
        self._seed = (self._seed + _GOLDEN_GAMMA) & _MASK
        z = self._seed
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return _signed(z ^ (z >> 31))

    def next_long_below(self, bound):
        """nextLong(bound): Java's rejection loop over unsigned halves, for 0 < bound < 2^63."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        m = bound - 1
        r = self.next_long()
        if bound & m == 0:
            return r & m
        u = (r & _MASK) >> 1
        while True:
            r = u % bound
            if _signed((u + m - r) & _MASK) >= 0:
                return r
            u = (self.next_long() & _MASK) >> 1
