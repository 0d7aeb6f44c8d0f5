package dev.semisup.worker.data.packed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.Manifests;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageRef;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageDecoderTest;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.decode.Resampling;
import dev.semisup.worker.data.packed.TrainingReadyImages.Packed;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pack's training-ready images: photos above the short side shrink to it and get much smaller,
 * the student's fit of the smaller image sees what it saw of the original, and small images,
 * lossless grey ones and the "original" setting keep their bytes.
 */
class TrainingReadyImagesTest {

  @TempDir
  Path dir;

  @Test
  void aPhotoAboveTheShortSideShrinksToItAndItsBytesToUnderHalf() throws Exception {
    byte[] original = ImageDecoderTest.jpeg(ImageDecoderTest.photo(500, 375, 3), 0.9f, false);
    Packed packed = new TrainingReadyImages(256, 90).ofEncoded(original, "jpg", "photo");

    assertThat(packed.extension()).isEqualTo("jpg");
    ImageRecord image = ImageDecoder.decode(packed.bytes(), 0, "packed", 0);
    assertThat(new int[] {image.channels(), image.height(), image.width()}).containsExactly(3, 256, 341);
    assertThat(packed.bytes().length).isLessThan(original.length / 2);

    Packed portrait = new TrainingReadyImages(256, 90)
        .ofEncoded(ImageDecoderTest.jpeg(ImageDecoderTest.photo(375, 500, 4), 0.9f, false), "jpg", "portrait");
    ImageRecord tall = ImageDecoder.decode(portrait.bytes(), 0, "portrait", 0);
    assertThat(new int[] {tall.height(), tall.width()}).containsExactly(341, 256);
  }

  @Test
  void theStudentsFitOfAShrunkPhotoIsTheFitOfTheOriginal() throws Exception {
    // The student decodes an image and resamples its centred square to its input: the same path
    // for an original and a packed image, so the same picture (colours in their channels included).
    byte[] original = ImageDecoderTest.jpeg(ImageDecoderTest.photo(500, 375, 5), 0.9f, false);
    byte[] packed = new TrainingReadyImages(256, 90).ofEncoded(original, "jpg", "photo").bytes();
    ImageGeometry student = new ImageGeometry(3, 224);
    byte[] fromOriginal = ImageDecoder.decodeFitted(original, 0, "original", 0, student).pixels();
    byte[] fromPacked = ImageDecoder.decodeFitted(packed, 0, "packed", 0, student).pixels();
    assertThat(meanAbsoluteDifference(fromPacked, fromOriginal)).isLessThan(2.0);
    byte[] otherPhoto = ImageDecoder.decodeFitted(ImageDecoderTest.jpeg(ImageDecoderTest.photo(500, 375, 6), 0.9f, false),
        0, "other", 0, student).pixels();
    assertThat(meanAbsoluteDifference(otherPhoto, fromOriginal)).as("the bound means something").isGreaterThan(8.0);
  }

  @Test
  void anImageAtOrBelowTheShortSideIsPackedAsItIs() throws Exception {
    TrainingReadyImages ready = new TrainingReadyImages(256, 90);
    byte[] small = ImageDecoderTest.jpeg(ImageDecoderTest.photo(300, 200, 7), 0.95f, false);
    assertThat(ready.ofEncoded(small, "jpg", "small")).satisfies(p -> {
      assertThat(p.bytes()).isSameAs(small);
      assertThat(p.extension()).isEqualTo("jpg");
    });
    // Exactly at the short side, though libjpeg could decode a 512-side image at 1/2 to 256.
    byte[] atSide = ImageDecoderTest.jpeg(ImageDecoderTest.photo(400, 256, 8), 0.9f, false);
    assertThat(ready.ofEncoded(atSide, "jpg", "at").bytes()).isSameAs(atSide);
    byte[] twice = ImageDecoderTest.jpeg(ImageDecoderTest.photo(700, 512, 9), 0.9f, false);
    ImageRecord halved = ImageDecoder.decode(ready.ofEncoded(twice, "jpg", "twice").bytes(), 0, "twice", 0);
    assertThat(Math.min(halved.height(), halved.width())).isEqualTo(256);
  }

  @Test
  void smallGreyPngsStayLosslessAndLargeFlatGreyImagesBecomeLosslessPng() throws Exception {
    TrainingReadyImages ready = new TrainingReadyImages(32, 90);
    byte[] digit = DataFiles.encode(DataFiles.grey(1, 28, 28), "png");
    assertThat(ready.ofEncoded(digit, "png", "digit").bytes()).isSameAs(digit);
    ImageRecord record = new ImageRecord(4, "idx#4", 1, 1, 28, 28, DataFiles.pixels(4, 28 * 28));
    Packed fromRecord = ready.ofRecord(record);
    assertThat(fromRecord.extension()).isEqualTo("png");
    assertThat(ImageDecoder.decode(fromRecord.bytes(), 0, "record", 0).pixels()).isEqualTo(record.pixels());

    // A large grey drawing (flat areas, hard edges): PNG beats JPEG, and stays exact.
    BufferedImage drawing = new BufferedImage(320, 240, BufferedImage.TYPE_BYTE_GRAY);
    byte[] strokes = new byte[320 * 240];
    for (int i = 0; i < strokes.length; i++) {
      strokes[i] = (byte) ((i / 320 / 30 + i % 320 / 40) % 2 == 0 ? 255 : 0);
    }
    drawing.getRaster().setDataElements(0, 0, 320, 240, strokes);
    byte[] drawingPng = DataFiles.encode(drawing, "png");
    Packed shrunk = ready.ofEncoded(drawingPng, "png", "drawing");
    assertThat(shrunk.extension()).isEqualTo("png");
    ImageRecord expected = ready.shrunk(ImageDecoder.decode(drawingPng, 0, "drawing", 0));
    ImageRecord decoded = ImageDecoder.decode(shrunk.bytes(), 0, "shrunk", 0);
    assertThat(new int[] {decoded.channels(), decoded.height(), decoded.width()}).containsExactly(1, 32, 43);
    assertThat(decoded.pixels()).as("lossless").isEqualTo(expected.pixels());
  }

  @Test
  void shortSideZeroPacksEveryOriginal() throws Exception {
    byte[] photo = ImageDecoderTest.jpeg(ImageDecoderTest.photo(500, 375, 10), 0.9f, false);
    TrainingReadyImages originals = new TrainingReadyImages(0, 90);
    assertThat(originals.ofEncoded(photo, "jpg", "photo").bytes()).isSameAs(photo);

    Path file = Files.write(dir.resolve("photo.jpg"), photo);
    SampledImages images = new SampledImages(new TestFileBlobs());
    assertThat(images.fetch(ImageRef.parse(file.toUri().toString()), "jpg", originals).bytes()).isEqualTo(photo);
  }

  @Test
  void aCorruptImageIsSkippedAndCountedWhenResizedToo() throws Exception {
    byte[] photo = ImageDecoderTest.jpeg(ImageDecoderTest.photo(500, 375, 11), 0.9f, false);
    Path file = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(photo, photo.length / 2));
    SampledImages images = new SampledImages(new TestFileBlobs());
    assertThat(images.fetch(ImageRef.parse(file.toUri().toString()), "jpg", new TrainingReadyImages(256, 90))).isNull();
    assertThat(images.skipped()).isEqualTo(1);
  }

  @Test
  void theDefaultShortSideIsALittleAboveTheModelsInput() throws Exception {
    String manifest = """
        apiVersion: semisup.dev/v1alpha1
        kind: SemiSupervisedRun
        metadata: {name: photos}
        spec:
          data:
            classes: 10
            labeled: {uri: "s3://data/labeled/", format: folder}
            unlabeled: {uri: "s3://data/pool/", format: tar}
            validation: {uri: "s3://data/val/", format: folder}
          teacher: {architecture: resnet18}
          student: {architecture: resnet18}
        """;
    assertThat(TrainingReadyImages.of(Manifests.parse(manifest, "photos.yaml").getSpec()).shortSide()).isEqualTo(256);
    String original = manifest + "  sampling: {packShortSide: 0}\n";
    assertThat(TrainingReadyImages.of(Manifests.parse(original, "photos.yaml").getSpec()).keepsOriginals()).isTrue();
  }

  @Test
  void resizingToTheSameSizeIsTheIdentity() {
    byte[] pixels = DataFiles.pixels(3, 3 * 17 * 23);
    assertThat(Resampling.resize(pixels, 3, 17, 23, 17, 23)).isEqualTo(pixels);
  }

  private static double meanAbsoluteDifference(byte[] a, byte[] b) {
    assertThat(a).hasSameSizeAs(b);
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return (double) sum / a.length;
  }
}
