package dev.semisup.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.packed.SampledImages;
import org.junit.jupiter.api.Test;

class ImageRefTest {

  @Test
  void everyFormRoundTripsThroughItsString() {
    ImageRef member = ImageRef.tarMember("s3://pool/a.b/shard-0001.tar", "dir/x@y.seg.JPG", 1536, 20480);
    assertThat(member.toString()).isEqualTo("s3://pool/a.b/shard-0001.tar#dir/x@y.seg.JPG@1536+20480");
    assertThat(ImageRef.parse(member.toString())).isEqualTo(member);
    assertThat(member.ranged()).isTrue();
    assertThat(member.extension()).isEqualTo("jpg");

    ImageRef file = ImageRef.wholeFile("file:///data/pool/cat/a.png");
    assertThat(ImageRef.parse(file.toString())).isEqualTo(file);
    assertThat(file.ranged()).isFalse();
    assertThat(file.extension()).isEqualTo("png");
    assertThat(SampledImages.fetchable(file)).isTrue();

    ImageRef record = ImageRef.record("train-images.gz", 4711);
    assertThat(record.toString()).isEqualTo("train-images.gz#4711");
    assertThat(ImageRef.parse(record.toString())).isEqualTo(record);
    assertThat(SampledImages.fetchable(record)).isFalse();
  }

  @Test
  void aBrokenRangeIsNamed() {
    assertThatThrownBy(() -> ImageRef.parse("s3://p/a.tar#x.jpg@12"))
        .hasMessageContaining("image reference 's3://p/a.tar#x.jpg@12': expected file#member@offset+length");
  }
}
