package dev.semisup.worker.data.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.DataFiles;
import dev.semisup.worker.data.ImageRecord;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageGeometryTest {

  private static ImageRecord image(int channels, int height, int width, byte[] pixels) {
    return new ImageRecord(7, "k", 3, channels, height, width, pixels);
  }

  @Test
  void imageAtTheTargetIsPassedThroughUntouched() {
    ImageRecord image = image(1, 4, 4, DataFiles.pixels(0, 16));

    assertThat(new ImageGeometry(1, 4).fit(image)).isSameAs(image);
  }

  @Test
  void greyBecomesRgbByCopyingAndKeepsOrdinalKeyLabel() {
    byte[] grey = DataFiles.pixels(1, 16);

    ImageRecord rgb = new ImageGeometry(3, 4).fit(image(1, 4, 4, grey));

    assertThat(rgb.channels()).isEqualTo(3);
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 16; i++) {
        assertThat(rgb.pixels()[c * 16 + i]).isEqualTo(grey[i]);
      }
    }
    assertThat(rgb.ordinal()).isEqualTo(7);
    assertThat(rgb.key()).isEqualTo("k");
    assertThat(rgb.label()).isEqualTo(3);
  }

  @Test
  void rgbBecomesGreyByLuma() {
    // One pixel: r=200 g=100 b=50 -> 0.299*200 + 0.587*100 + 0.114*50 = 124.2
    ImageRecord grey = new ImageGeometry(1, 1).fit(image(3, 1, 1, new byte[] {(byte) 200, 100, 50}));

    assertThat(grey.pixels()).containsExactly(124);
  }

  @Test
  void halvingAveragesEachTwoByTwoBlock() {
    byte[] pixels = {
        0, 2, 10, 20,
        4, 6, 30, 40,
        100, 100, 1, 1,
        100, 100, 1, 2};

    ImageRecord half = new ImageGeometry(1, 2).fit(image(1, 4, 4, pixels));

    // 3, 25, 100, 1.25
    assertThat(half.pixels()).containsExactly(3, 25, 100, 1);
  }

  @Test
  void resizeKeepsAFlatImageFlatBothWays() {
    byte[] flat = new byte[3 * 6 * 10];
    Arrays.fill(flat, (byte) 77);

    for (int size : new int[] {3, 5, 17}) {
      ImageRecord resized = new ImageGeometry(3, size).fit(image(3, 6, 10, flat));
      assertThat(resized.height()).isEqualTo(size);
      assertThat(resized.width()).isEqualTo(size);
      for (byte b : resized.pixels()) {
        assertThat(b).isEqualTo((byte) 77);
      }
    }
  }

  @Test
  void wideImageKeepsItsCentreSquare() {
    // 2 x 6: columns 0 and 5 are 255, the centre 2x2 block (columns 2-3) is 10; the rest 0.
    byte[] pixels = new byte[12];
    for (int y = 0; y < 2; y++) {
      pixels[y * 6] = (byte) 255;
      pixels[y * 6 + 5] = (byte) 255;
      pixels[y * 6 + 2] = 10;
      pixels[y * 6 + 3] = 10;
    }

    ImageRecord square = new ImageGeometry(1, 2).fit(image(1, 2, 6, pixels));

    assertThat(square.pixels()).containsExactly(10, 10, 10, 10);
  }

  @Test
  void onlyOneOrThreeChannels() {
    assertThatThrownBy(() -> new ImageGeometry(2, 28)).hasMessage("data.channels: must be 1 or 3, was 2");
  }
}
