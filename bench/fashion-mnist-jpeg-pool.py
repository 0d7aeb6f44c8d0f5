# Fashion-MNIST's 60,000 training images upscaled to 64x64 grey JPEGs (quality 90) in six
# WebDataset tars with .cls members: a pool whose images are above pack's short side for a
# 28x28 model (32), to compare students trained on packed (shrunk) and original images.
import gzip, io, tarfile, sys
from PIL import Image
src = "/usr/share/datasets/fashion-mnist/"
images = gzip.open(src + "train-images-idx3-ubyte.gz").read()[16:]
labels = gzip.open(src + "train-labels-idx1-ubyte.gz").read()[8:]
out = sys.argv[1]
per = 10000
for part in range(6):
    with tarfile.open(f"{out}/part-{part:05d}.tar", "w", format=tarfile.USTAR_FORMAT) as tar:
        for i in range(part * per, (part + 1) * per):
            img = Image.frombytes("L", (28, 28), images[i * 784:(i + 1) * 784]).resize((64, 64), Image.BICUBIC)
            buf = io.BytesIO(); img.save(buf, "JPEG", quality=90)
            for name, data in ((f"{i:06d}.jpg", buf.getvalue()), (f"{i:06d}.cls", str(labels[i]).encode())):
                info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 0
                tar.addfile(info, io.BytesIO(data))
