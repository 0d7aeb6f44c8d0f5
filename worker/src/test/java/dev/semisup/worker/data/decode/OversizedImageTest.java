package dev.semisup.worker.data.decode;

import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.rgb;
import static dev.semisup.worker.data.DataFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.BadDataException;
import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.Passes;
import dev.semisup.worker.data.TestFileBlobs;
import dev.semisup.worker.data.formats.FolderSource;
import dev.semisup.worker.data.formats.TarShardSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image whose header declares more pixels than the budget is never decoded: a 30000 x 30000
 * PNG of a few dozen bytes would need 900 MB as grey and 2.7 GB as RGB, and used to end the run
 * with an OutOfMemoryError. Pools skip and count it; labeled sets fail naming it.
 */
class OversizedImageTest {

  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);

  @TempDir
  Path dir;

  private final TestFileBlobs blobs = new TestFileBlobs();

  @Test
  void theHeaderIsARealPngOfAFewDozenBytes() throws Exception {
    byte[] png = DataFiles.pngHeader(30000, 30000);
    assertThat(png.length).isLessThan(200);
    javax.imageio.ImageReader reader = javax.imageio.ImageIO.getImageReadersByFormatName("png").next();
    reader.setInput(javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(png)));
    assertThat(reader.getWidth(0)).isEqualTo(30000);
    assertThat(reader.getHeight(0)).isEqualTo(30000);
  }

  @Test
  void anOversizedPngOrJpegInAFolderPoolIsSkippedAndCounted() throws Exception {
    write(dir.resolve("pool/0.png"), encode(rgb(0, 8, 8), "png"));
    write(dir.resolve("pool/1.png"), DataFiles.pngHeader(30000, 30000));
    write(dir.resolve("pool/2.jpg"), DataFiles.jpegHeader(30000, 30000));
    write(dir.resolve("pool/3.png"), encode(rgb(3, 8, 8), "png"));
    FolderSource pool = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("pool")), false, true, RGB8, Long.MAX_VALUE);

    assertThat(Passes.ordinals(Passes.readAll(pool))).containsExactly(0L, 3L);
    assertThat(Passes.skipped(pool)).isEqualTo(2);
  }

  @Test
  void anOversizedPngInATarPoolIsSkippedAndCounted() throws Exception {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("a.png", encode(rgb(0, 8, 8), "png"));
    members.put("bomb.png", DataFiles.pngHeader(30000, 30000));
    members.put("c.png", encode(rgb(2, 8, 8), "png"));
    Path shard = DataFiles.tar(dir.resolve("pool/shard-0.tar"), members);
    TarShardSource pool = new TarShardSource(blobs, TestFileBlobs.uri(shard), false, true, RGB8, Long.MAX_VALUE);

    assertThat(Passes.ordinals(Passes.readAll(pool))).containsExactly(0L, 2L);
    assertThat(Passes.skipped(pool)).isEqualTo(1);
  }

  @Test
  void anOversizedImageInALabeledSetFailsNamingIt() throws Exception {
    write(dir.resolve("set/a/0.png"), encode(rgb(0, 8, 8), "png"));
    Path bomb = write(dir.resolve("set/b/bomb.png"), DataFiles.pngHeader(30000, 30000));
    FolderSource labeled = new FolderSource(blobs, TestFileBlobs.uri(dir.resolve("set")), true, false, RGB8, Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(labeled))
        .isInstanceOf(BadDataException.class)
        .hasMessage(TestFileBlobs.uri(bomb) + ": oversized image: declares 30000 x 30000 pixels, beyond the budget of "
            + ImageDecoder.MAX_PIXELS + " pixels per image");
  }

  @Test
  void anImageWithinTheBudgetDecodes() throws Exception {
    byte[] png = encode(rgb(0, 64, 48), "png");

    assertThat(ImageDecoder.decode(png, 0, "k", 0, 64 * 48).height()).isEqualTo(64);
    assertThatThrownBy(() -> ImageDecoder.decode(png, 0, "k", 0, 64 * 48 - 1))
        .isInstanceOf(ImageDecoder.OversizedImageException.class)
        .hasMessageContaining("declares 48 x 64 pixels");
  }
}
