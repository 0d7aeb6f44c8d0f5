package dev.semisup.worker.data.formats;

import static dev.semisup.worker.data.DataFiles.cls;
import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.rgb;
import static dev.semisup.worker.data.DataFiles.tar;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageSource;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.data.pipeline.OrderedDecoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file sources read through the decode pipeline: the same images, in the same order, with the
 * same corrupt image skipped and counted, whatever the thread count; no decode thread is left
 * after a pass is closed or after it fails.
 */
class DecodePipelineSourcesTest {

  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);
  private static final int IMAGES = 60;
  private static final int CORRUPT = 29;

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  /** Images 0..59 of several sizes and both formats (so decode times differ); image 29's bytes are not an image. */
  private static byte[] image(int i) throws IOException {
    if (i == CORRUPT) {
      byte[] broken = encode(rgb(i, 30, 40), "png");
      Arrays.fill(broken, 40, broken.length, (byte) 7);
      return broken;
    }
    return encode(rgb(i, 8 + (i % 5) * 9, 8 + (i % 7) * 11), i % 2 == 0 ? "png" : "jpg");
  }

  private Path tarShards() throws IOException {
    for (int file = 0; file < 3; file++) {
      Map<String, byte[]> members = new LinkedHashMap<>();
      for (int i = file * 20; i < file * 20 + 20; i++) {
        members.put(String.format("img%03d.cls", i), cls(i % 3));
        members.put(String.format("img%03d.%s", i, i % 2 == 0 ? "png" : "jpg"), image(i));
      }
      tar(dir.resolve("tars/part-" + file + ".tar"), members);
    }
    return dir.resolve("tars");
  }

  private Path folder() throws IOException {
    for (int i = 0; i < IMAGES; i++) {
      write(dir.resolve(String.format("folder/img%03d.%s", i, i % 2 == 0 ? "png" : "jpg")), image(i));
    }
    return dir.resolve("folder");
  }

  private record Pass(List<String> images, long skipped) {
  }

  /** Every image of a pass, compared by what a model would see: ordinal, key, label and pixels. */
  private static Pass read(ImageSource source) throws IOException {
    List<String> images = new ArrayList<>();
    try (ImageStream stream = source.open()) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        images.add(image.ordinal() + " " + image.key() + " " + image.label() + " " + Arrays.hashCode(image.pixels()));
      }
      return new Pass(images, stream.skipped());
    }
  }

  private TarShardSource tarSource(Path tars, boolean skipCorrupt, DecodeSettings decoding) {
    return new TarShardSource(blobs, TestFileBlobs.uri(tars), true, skipCorrupt, RGB8, Long.MAX_VALUE, decoding);
  }

  private FolderSource folderSource(Path folder, DecodeSettings decoding) {
    return new FolderSource(blobs, TestFileBlobs.uri(folder), false, true, RGB8, Long.MAX_VALUE, null, decoding);
  }

  @Test
  void aTarPoolGivesTheSameImagesInTheSameOrderWhateverTheThreadCount() throws IOException {
    Path tars = tarShards();
    Pass one = read(tarSource(tars, true, new DecodeSettings(1, 4)));
    assertThat(one.images()).hasSize(IMAGES - 1);
    assertThat(one.skipped()).isEqualTo(1);
    assertThat(one.images()).noneMatch(image -> image.contains("img029"));
    for (int threads : new int[] {2, 4}) {
      assertThat(read(tarSource(tars, true, new DecodeSettings(threads, 4)))).as("%d threads", threads).isEqualTo(one);
      assertThat(read(tarSource(tars, true, new DecodeSettings(threads, 256)))).as("%d threads, window 256", threads)
          .isEqualTo(one);
    }
  }

  @Test
  void aFolderPoolGivesTheSameImagesInTheSameOrderWhateverTheThreadCount() throws IOException {
    Path folder = folder();
    Pass one = read(folderSource(folder, new DecodeSettings(1, 4)));
    assertThat(one.images()).hasSize(IMAGES - 1);
    assertThat(one.skipped()).isEqualTo(1);
    for (int threads : new int[] {2, 4}) {
      assertThat(read(folderSource(folder, new DecodeSettings(threads, 8)))).as("%d threads", threads).isEqualTo(one);
    }
  }

  @Test
  void aCorruptImageInALabeledSetFailsAtItsPlaceNamingItAndLeavesNoThread() throws IOException {
    Path tars = tarShards();
    Set<Thread> before = decodeThreads();
    ImageStream stream = tarSource(tars, false, new DecodeSettings(4, 16)).open();
    for (int i = 0; i < CORRUPT; i++) {
      assertThat(stream.next().key()).contains(String.format("img%03d", i));
    }
    assertThatThrownBy(stream::next).isInstanceOf(BadDataException.class)
        .hasMessageContaining("part-1.tar: member img029").hasMessageContaining("corrupt image");
    assertThat(newDecodeThreads(before)).as("decode threads after the failure, before close").isEmpty();
    stream.close();
  }

  @Test
  void closingAPassHalfwayLeavesNoThread() throws IOException {
    Path folder = folder();
    Set<Thread> before = decodeThreads();
    try (ImageStream stream = folderSource(folder, new DecodeSettings(3, 8)).open()) {
      for (int i = 0; i < 10; i++) {
        stream.next();
      }
      assertThat(newDecodeThreads(before)).hasSize(3);
    }
    assertThat(newDecodeThreads(before)).isEmpty();
  }

  static Set<Thread> decodeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(OrderedDecoding.THREAD_PREFIX))
        .collect(Collectors.toSet());
  }

  static Set<String> newDecodeThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(OrderedDecoding.THREAD_PREFIX))
        .filter(thread -> thread.isAlive() && !before.contains(thread))
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
