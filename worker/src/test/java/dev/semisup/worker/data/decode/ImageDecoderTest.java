package dev.semisup.worker.data.decode;

import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.grey;
import static dev.semisup.worker.data.DataFiles.rgb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.decode.ImageDecoder.CorruptImageException;
import dev.semisup.worker.data.decode.ImageDecoder.JpegDecoder;
import dev.semisup.worker.data.decode.ImageDecoder.OversizedImageException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The two JPEG decoders against each other: libjpeg-turbo (the default where libturbojpeg loads)
 * and ImageIO (the fallback). PNG is lossless and always ImageIO's: equal pixels. JPEG decoders may
 * round differently (upsampling of the colour planes, colour conversion): both use the accurate
 * integer IDCT, and their pixels stay within {@link #JPEG_MAX_DIFFERENCE} of each other, on average
 * within {@link #JPEG_MEAN_DIFFERENCE}. A reduced decode (libjpeg's IDCT scaling) then resized to
 * 224 px differs from the full decode resized to 224 px by about one grey level on average (measured
 * 1.09, at most 7 here): the bounds are 1.5 and 10. Both refuse the same broken and oversized inputs.
 */
public class ImageDecoderTest {

  /**
   * Largest difference of one 8-bit sample between the two decoders, full-size JPEG. Measured: 0 on
   * all four kinds below (libjpeg-turbo 2.1.5 and the JDK's libjpeg 6b share the integer IDCT and the
   * "fancy" upsampling); 1 leaves room for a decoder that rounds its colour conversion differently.
   */
  static final int JPEG_MAX_DIFFERENCE = 1;
  /** Mean absolute difference per sample between the two decoders, full-size JPEG (measured: 0). */
  static final double JPEG_MEAN_DIFFERENCE = 0.05;

  @Test
  void libjpegTurboIsTheJpegDecoderHere() {
    // .ci/run installs libturbojpeg0; without it every comparison below would compare ImageIO with itself.
    assertThat(ImageDecoder.jpegDecoder())
        .as("libturbojpeg must load in the tests (Debian: apt-get install libturbojpeg0)")
        .isEqualTo(JpegDecoder.LIBJPEG_TURBO);
  }

  @Test
  void pngIsTheSameExactPixelsWithEitherDecoder() throws IOException {
    byte[] rgbPng = encode(rgb(5, 37, 29), "png");
    byte[] greyPng = encode(grey(6, 31, 23), "png");
    byte[] palettePng = encode(palette(19, 17), "png");

    for (byte[] png : List.of(rgbPng, greyPng, palettePng)) {
      ImageRecord ours = decode(JpegDecoder.LIBJPEG_TURBO, png, 0);
      ImageRecord imageIo = decode(JpegDecoder.IMAGEIO, png, 0);
      assertThat(ours.channels()).isEqualTo(imageIo.channels());
      assertThat(ours.pixels()).isEqualTo(imageIo.pixels());
    }
    assertThat(decode(JpegDecoder.LIBJPEG_TURBO, rgbPng, 0).pixels()).isEqualTo(DataFiles.pixels(5, 3 * 37 * 29));
    assertThat(decode(JpegDecoder.LIBJPEG_TURBO, greyPng, 0).channels()).as("grey stays one channel").isEqualTo(1);
    assertThat(decode(JpegDecoder.LIBJPEG_TURBO, greyPng, 0).pixels()).isEqualTo(DataFiles.pixels(6, 31 * 23));
    assertThat(decode(JpegDecoder.LIBJPEG_TURBO, palettePng, 0).channels()).as("a palette is RGB").isEqualTo(3);
  }

  @Test
  void jpegIsNearlyTheSamePixelsWithEitherDecoder() throws IOException {
    Map<String, byte[]> jpegs = new LinkedHashMap<>();
    jpegs.put("photo 4:2:0", jpeg(photo(500, 375, 1), 0.9f, false));
    jpegs.put("odd size", jpeg(photo(333, 201, 2), 0.75f, false));
    jpegs.put("progressive", jpeg(photo(320, 240, 3), 0.9f, true));
    jpegs.put("grey", jpeg(greyPhoto(200, 150, 4), 0.9f, false));

    for (Map.Entry<String, byte[]> jpeg : jpegs.entrySet()) {
      ImageRecord ours = decode(JpegDecoder.LIBJPEG_TURBO, jpeg.getValue(), 0);
      ImageRecord imageIo = decode(JpegDecoder.IMAGEIO, jpeg.getValue(), 0);
      assertThat(List.of(ours.channels(), ours.height(), ours.width())).as(jpeg.getKey())
          .isEqualTo(List.of(imageIo.channels(), imageIo.height(), imageIo.width()));
      assertThat(maxDifference(ours.pixels(), imageIo.pixels())).as(jpeg.getKey()).isLessThanOrEqualTo(JPEG_MAX_DIFFERENCE);
      assertThat(meanDifference(ours.pixels(), imageIo.pixels())).as(jpeg.getKey()).isLessThanOrEqualTo(JPEG_MEAN_DIFFERENCE);
    }
    assertThat(decode(JpegDecoder.LIBJPEG_TURBO, jpegs.get("grey"), 0).channels()).as("grey stays one channel").isEqualTo(1);
  }

  @Test
  void bytesAfterTheEndOfAJpegAreIgnoredByBoth() throws IOException {
    // Crawled files sometimes carry padding or another file's tail after the end-of-image marker.
    byte[] jpeg = jpeg(photo(96, 64, 9), 0.9f, false);
    byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 100);
    Arrays.fill(padded, jpeg.length, padded.length, (byte) 0x5a);

    for (JpegDecoder decoder : JpegDecoder.values()) {
      assertThat(decode(decoder, padded, 0).pixels()).as(decoder.name()).isEqualTo(decode(decoder, jpeg, 0).pixels());
    }
  }

  @Test
  void imageIoCopiesTheSameSamplesGetRgbWouldGive() throws IOException {
    BufferedImage translucent = new BufferedImage(23, 17, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 17; y++) {
      for (int x = 0; x < 23; x++) {
        translucent.setRGB(x, y, (x * 11) << 24 | (x * 10) << 16 | (y * 15) << 8 | ((x + y) * 5));
      }
    }
    Map<String, byte[]> images = new LinkedHashMap<>();
    images.put("RGB PNG", encode(rgb(7, 21, 13), "png"));
    images.put("RGBA PNG, alpha dropped", encode(translucent, "png"));
    images.put("JPEG", jpeg(photo(64, 48, 8), 0.9f, false));

    for (Map.Entry<String, byte[]> image : images.entrySet()) {
      BufferedImage read = ImageIO.read(new java.io.ByteArrayInputStream(image.getValue()));
      int plane = read.getWidth() * read.getHeight();
      byte[] expected = new byte[3 * plane];
      for (int i = 0; i < plane; i++) {
        int argb = read.getRGB(i % read.getWidth(), i / read.getWidth());
        expected[i] = (byte) (argb >> 16);
        expected[plane + i] = (byte) (argb >> 8);
        expected[2 * plane + i] = (byte) argb;
      }
      assertThat(decode(JpegDecoder.IMAGEIO, image.getValue(), 0).pixels()).as(image.getKey()).isEqualTo(expected);
    }
  }

  @Test
  void aReducedDecodeKeepsTheShortSideAtLeastTheTargetAndFitsLikeAFullOne() throws IOException {
    byte[] big = jpeg(photo(1000, 750, 5), 0.9f, false);
    ImageGeometry model = new ImageGeometry(3, 224);

    ImageRecord reduced = ImageDecoder.decodeAtLeast(big, 0, "big", 0, 224);
    ImageRecord full = decode(JpegDecoder.IMAGEIO, big, 0);

    assertThat(List.of(reduced.height(), reduced.width())).as("1/2 of 750 x 1000; 1/4 would be 188 < 224")
        .isEqualTo(List.of(375, 500));
    assertThat(List.of(ImageDecoder.decodeAtLeast(big, 0, "big", 0, 95).height(),
        ImageDecoder.decodeAtLeast(big, 0, "big", 0, 94).height())).as("1/4 down to 95, 1/8 (94) from 94").isEqualTo(List.of(188, 94));
    // What the model sees: the reduced decode resized to 224 against the whole image resized to 224.
    byte[] fromReduced = model.fit(reduced).pixels();
    byte[] fromFull = model.fit(full).pixels();
    assertThat(meanDifference(fromReduced, fromFull)).isLessThanOrEqualTo(1.5);
    assertThat(maxDifference(fromReduced, fromFull)).isLessThanOrEqualTo(10);
  }

  @Test
  void decodeFittedGivesTheSamePixelsAsDecodingThenFitting() throws IOException {
    // The worker's call against the two steps it replaces, on one thread, so the reused buffers see
    // images larger and smaller than the one before; both decoders; every geometry case of fit.
    Map<String, byte[]> images = new LinkedHashMap<>();
    images.put("photo 500x375", jpeg(photo(500, 375, 1), 0.9f, false));
    images.put("photo 1000x750, reduced decode", jpeg(photo(1000, 750, 5), 0.9f, false));
    images.put("small photo, enlarged", jpeg(photo(120, 90, 6), 0.9f, false));
    images.put("odd size, portrait", jpeg(photo(201, 333, 2), 0.75f, false));
    images.put("progressive", jpeg(photo(320, 240, 3), 0.9f, true));
    images.put("grey JPEG", jpeg(greyPhoto(300, 260, 4), 0.9f, false));
    images.put("RGB PNG", encode(rgb(5, 37, 29), "png"));
    images.put("grey PNG", encode(grey(6, 31, 23), "png"));
    List<ImageGeometry> geometries = List.of(new ImageGeometry(3, 224), new ImageGeometry(1, 224),
        new ImageGeometry(3, 32), new ImageGeometry(1, 28), new ImageGeometry(3, 240));

    for (JpegDecoder decoder : JpegDecoder.values()) {
      for (ImageGeometry geometry : geometries) {
        for (Map.Entry<String, byte[]> image : images.entrySet()) {
          String what = image.getKey() + " at " + geometry + " with " + decoder;
          ImageRecord expected = geometry.fit(ImageDecoder.decodeWith(decoder, image.getValue(), 7, "key", 3,
              geometry.size(), ImageDecoder.MAX_PIXELS));

          ImageRecord fitted = ImageDecoder.decodeFittedWith(decoder, image.getValue(), 7, "key", 3, geometry,
              ImageDecoder.MAX_PIXELS);

          assertThat(List.of(fitted.channels(), fitted.height(), fitted.width())).as(what)
              .isEqualTo(List.of(geometry.channels(), geometry.size(), geometry.size()));
          assertThat(List.of(fitted.ordinal(), fitted.key(), fitted.label())).as(what).isEqualTo(List.of(7L, "key", 3));
          assertThat(fitted.pixels()).as(what).isEqualTo(expected.pixels());
        }
      }
    }
  }

  @Test
  void anImageBeyondTheKeptBuffersDecodesAndLeavesThemAsTheyWere() throws IOException {
    // 2100 x 2100 RGB is 13.2 MB, beyond what a thread keeps: it gets buffers of its own.
    int side = 2100;
    assertThat(3 * side * side).isGreaterThan(TurboJpeg.RETAINED_BYTES);
    byte[] huge = jpeg(photo(side, side, 14), 0.5f, false);
    byte[] small = jpeg(photo(160, 120, 15), 0.9f, false);
    ImageRecord smallFirst = decode(JpegDecoder.LIBJPEG_TURBO, small, 0);

    ImageRecord hugeDecoded = decode(JpegDecoder.LIBJPEG_TURBO, huge, 0);
    ImageRecord smallAgain = decode(JpegDecoder.LIBJPEG_TURBO, small, 0);

    assertThat(List.of(hugeDecoded.height(), hugeDecoded.width())).isEqualTo(List.of(side, side));
    assertThat(maxDifference(hugeDecoded.pixels(), decode(JpegDecoder.IMAGEIO, huge, 0).pixels()))
        .isLessThanOrEqualTo(JPEG_MAX_DIFFERENCE);
    assertThat(smallAgain.pixels()).isEqualTo(smallFirst.pixels());
    assertThat(smallAgain.pixels()).as("a copy, not the thread's buffer").isNotSameAs(smallFirst.pixels());
  }

  @Test
  void theReductionIsTheLargestThatKeepsTheShortSide() {
    assertThat(TurboJpeg.reduction(500, 375, 224)).as("188 < 224: full size").isEqualTo(1);
    assertThat(TurboJpeg.reduction(1000, 750, 224)).isEqualTo(2);
    assertThat(TurboJpeg.reduction(4000, 3000, 224)).as("375 >= 224").isEqualTo(8);
    assertThat(TurboJpeg.reduction(500, 375, 32)).as("47 >= 32").isEqualTo(8);
    assertThat(TurboJpeg.reduction(500, 375, 0)).as("no hint: full size").isEqualTo(1);
    assertThat(TurboJpeg.reduction(897, 897, 224)).as("libjpeg rounds up: 225 >= 224").isEqualTo(4);
    assertThat(TurboJpeg.scaled(897, 4)).isEqualTo(225);
  }

  @Test
  void bothDecodersRefuseTheSameBrokenAndOversizedImages() throws IOException {
    byte[] jpeg = jpeg(photo(120, 90, 6), 0.9f, false);
    byte[] png = encode(rgb(1, 40, 30), "png");
    Map<String, byte[]> broken = new LinkedHashMap<>();
    broken.put("not an image", "not an image".getBytes());
    broken.put("empty", new byte[0]);
    broken.put("a JPEG start marker only", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});
    broken.put("JPEG cut at 2/3", Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
    broken.put("JPEG cut before its last marker", Arrays.copyOf(jpeg, jpeg.length - 2));
    broken.put("JPEG header only", Arrays.copyOf(jpeg, indexOfScan(jpeg)));
    broken.put("PNG cut in half", Arrays.copyOf(png, png.length / 2));

    for (Map.Entry<String, byte[]> image : broken.entrySet()) {
      for (JpegDecoder decoder : JpegDecoder.values()) {
        assertThatThrownBy(() -> decode(decoder, image.getValue(), 0)).as(image.getKey() + " with " + decoder)
            .isExactlyInstanceOf(CorruptImageException.class);
      }
    }
    Map<String, byte[]> oversized = Map.of("PNG", DataFiles.pngHeader(30000, 30000), "JPEG", DataFiles.jpegHeader(30000, 30000));
    for (Map.Entry<String, byte[]> image : oversized.entrySet()) {
      for (JpegDecoder decoder : JpegDecoder.values()) {
        Throwable thrown = catchThrowable(() -> decode(decoder, image.getValue(), ImageDecoder.MAX_PIXELS));
        assertThat(thrown).as(image.getKey() + " with " + decoder).isInstanceOf(OversizedImageException.class)
            .hasMessage("declares 30000 x 30000 pixels, beyond the budget of " + ImageDecoder.MAX_PIXELS + " pixels per image");
      }
    }
    for (Map.Entry<String, byte[]> image : broken.entrySet()) {
      for (JpegDecoder decoder : JpegDecoder.values()) {
        assertThatThrownBy(() -> ImageDecoder.decodeFittedWith(decoder, image.getValue(), 0, "k", 0,
            new ImageGeometry(3, 32), ImageDecoder.MAX_PIXELS)).as(image.getKey() + " fitted with " + decoder)
            .isExactlyInstanceOf(CorruptImageException.class);
      }
    }
    assertThatThrownBy(() -> ImageDecoder.decodeFitted(DataFiles.jpegHeader(30000, 30000), 0, "k", 0,
        new ImageGeometry(3, 224))).isInstanceOf(OversizedImageException.class);
    // The budget is checked on the header's size, before any reduction.
    assertThatThrownBy(() -> ImageDecoder.decodeWith(JpegDecoder.LIBJPEG_TURBO, jpeg, 0, "k", 0, 8, 120 * 90 - 1))
        .isInstanceOf(OversizedImageException.class).hasMessageContaining("declares 120 x 90 pixels");
  }

  @Test
  void manyThreadsDecodeTheSamePixelsAsOne() throws Exception {
    List<byte[]> jpegs = new ArrayList<>();
    List<byte[]> expected = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jpegs.add(jpeg(photo(160 + 16 * i, 120, 10 + i), 0.9f, i % 2 == 1));
      expected.add(ImageDecoder.decodeAtLeast(jpegs.get(i), i, "k", 0, 32).pixels());
    }
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int task = 0; task < 64; task++) {
        int i = task % jpegs.size();
        results.add(threads.submit(() -> Arrays.equals(ImageDecoder.decodeAtLeast(jpegs.get(i), i, "k", 0, 32).pixels(),
            expected.get(i))));
      }
      // The worker's call too: each thread resamples from its own reused buffer.
      ImageGeometry geometry = new ImageGeometry(3, 48);
      List<byte[]> fitted = new ArrayList<>();
      for (int i = 0; i < jpegs.size(); i++) {
        fitted.add(ImageDecoder.decodeFitted(jpegs.get(i), i, "k", 0, geometry).pixels());
      }
      for (int task = 0; task < 64; task++) {
        int i = task % jpegs.size();
        results.add(threads.submit(() -> Arrays.equals(ImageDecoder.decodeFitted(jpegs.get(i), i, "k", 0, geometry).pixels(),
            fitted.get(i))));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void withoutLibturbojpegImageIoDecodesAndTheLogSaysWhyOnce() {
    Logger log = (Logger) LoggerFactory.getLogger(ImageDecoder.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try {
      TurboJpeg chosen = ImageDecoder.chooseTurboJpeg("", () -> {
        throw new UnsatisfiedLinkError("Unable to load library 'turbojpeg'");
      });
      TurboJpeg forced = ImageDecoder.chooseTurboJpeg("imageio", TurboJpeg::load);

      assertThat(chosen).isNull();
      assertThat(forced).isNull();
      assertThat(events.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
      assertThat(events.list.get(0).getFormattedMessage())
          .contains("JPEG decoder: ImageIO", "Unable to load library 'turbojpeg'", "libturbojpeg0");
      assertThat(events.list.get(1).getFormattedMessage()).isEqualTo("JPEG decoder: ImageIO (semisup.jpegDecoder=imageio)");
    } finally {
      log.detachAppender(events);
    }
  }

  @Test
  void theFallbackWarningGivesJnasReasonInOneLineWithoutTheClassPath() {
    String jna = "Unable to load library 'turbojpeg':\n"
        + "libturbojpeg.so: cannot open shared object file: No such file or directory\n"
        + "Native library (linux-x86-64/libturbojpeg.so) not found in resource path ("
        + "/app/lib/a.jar:/app/lib/b.jar:".repeat(500) + ")";
    Logger log = (Logger) LoggerFactory.getLogger(ImageDecoder.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try {
      ImageDecoder.chooseTurboJpeg("", () -> {
        throw new UnsatisfiedLinkError(jna);
      });

      String warning = events.list.get(0).getFormattedMessage();
      assertThat(warning).contains("(Unable to load library 'turbojpeg': libturbojpeg.so: cannot open shared object"
          + " file: No such file or directory)").doesNotContain("\n").doesNotContain("a.jar");
      assertThat(warning.length()).isLessThan(400);
    } finally {
      log.detachAppender(events);
    }
  }

  private static ImageRecord decode(JpegDecoder decoder, byte[] bytes, long maxPixels) throws CorruptImageException {
    return ImageDecoder.decodeWith(decoder, bytes, 0, "k", 0, 0, maxPixels == 0 ? ImageDecoder.MAX_PIXELS : maxPixels);
  }

  /** Smooth gradients and soft blobs with fine noise: what a photo gives an encoder. */
  public static BufferedImage photo(int width, int height, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    double cx = random.nextDouble() * width;
    double cy = random.nextDouble() * height;
    double radius = width / 4.0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double blob = Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * radius * radius));
        int r = clamp(60 + 150.0 * y / height + 60 * blob + random.nextGaussian() * 5);
        int g = clamp(100 + 80.0 * x / width - 50 * blob + random.nextGaussian() * 5);
        int b = clamp(200 - 120.0 * y / height + 20 * Math.sin(x / 6.0) + random.nextGaussian() * 5);
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return image;
  }

  private static BufferedImage greyPhoto(int width, int height, long seed) {
    BufferedImage colour = photo(width, height, seed);
    BufferedImage grey = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    grey.getGraphics().drawImage(colour, 0, 0, null);
    return grey;
  }

  /** A 16-colour palette image: decoded as RGB by both. */
  private static BufferedImage palette(int width, int height) {
    byte[] levels = new byte[16];
    for (int i = 0; i < 16; i++) {
      levels[i] = (byte) (i * 17);
    }
    byte[] reversed = levels.clone();
    for (int i = 0; i < 16; i++) {
      reversed[i] = levels[15 - i];
    }
    IndexColorModel colours = new IndexColorModel(4, 16, levels, reversed, levels);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY, colours);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, (x + 3 * y) % 16);
      }
    }
    return image;
  }

  public static byte[] jpeg(BufferedImage image, float quality, boolean progressive) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(quality);
    if (progressive) {
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** Where the first start-of-scan marker (FF DA) is: everything before it is the header. */
  private static int indexOfScan(byte[] jpeg) {
    for (int i = 2; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xda) {
        return i;
      }
    }
    throw new IllegalArgumentException("no SOS marker");
  }

  private static int clamp(double value) {
    return (int) Math.max(0, Math.min(255, Math.round(value)));
  }

  static int maxDifference(byte[] a, byte[] b) {
    assertThat(a).hasSameSizeAs(b);
    int max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
    }
    return max;
  }

  static double meanDifference(byte[] a, byte[] b) {
    assertThat(a).hasSameSizeAs(b);
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return (double) sum / a.length;
  }
}
