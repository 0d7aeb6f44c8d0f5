package dev.semisup.worker.model.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.v1alpha1.DataFormat;
import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.DataSpec;
import dev.semisup.worker.model.Regularization;
import dev.semisup.worker.store.FileBlobs;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {

  private static ModelCard card() {
    return new ModelCard(ModelCard.FORMAT, "cnn-small", new Regularization(0.25f, 0.1f), List.of("cat", "dog"), 32, 3, ModelCard.FIT,
        new double[] {0.49, 0.48, 0.45}, new double[] {0.25, 0.24, 0.26}, new ModelCard.Validation(0.9, 0.3, 1000L),
        new ModelCard.Run("team-a", "pets", "uid-1"), "finetune",
        new ModelCard.Parameters("model.params", ModelCard.SEMISUP_PARAMETERS));
  }

  @Test
  void aCardReadsBackAsWritten() throws IOException {
    ModelCard read = ModelCard.parse(card().toJson(), "card");

    assertThat(read.architecture()).isEqualTo("cnn-small");
    assertThat(read.builtWith()).isEqualTo(new Regularization(0.25f, 0.1f));
    assertThat(read.classes()).containsExactly("cat", "dog");
    assertThat(read.mean()).containsExactly(0.49, 0.48, 0.45);
    assertThat(read.std()).containsExactly(0.25, 0.24, 0.26);
    assertThat(read.validation()).isEqualTo(new ModelCard.Validation(0.9, 0.3, 1000L));
    assertThat(read.run()).isEqualTo(new ModelCard.Run("team-a", "pets", "uid-1"));
    assertThat(read.shape().classes()).isEqualTo(2);
    assertThat(read.geometry().size()).isEqualTo(32);
  }

  @Test
  void aCardMissingWhatAModelNeedsIsRefusedNamingTheFile() throws IOException {
    String json = new String(card().toJson(), StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ModelCard.parse(json.replace(ModelCard.FORMAT, "other/v9").getBytes(StandardCharsets.UTF_8),
        "s3://b/m/model-card.json"))
        .isInstanceOf(InvalidModelCardException.class).hasMessageContaining("s3://b/m/model-card.json")
        .hasMessageContaining("other/v9");
    assertThatThrownBy(() -> ModelCard.parse(json.replace("\"architecture\"", "\"arch\"").getBytes(StandardCharsets.UTF_8),
        "card.json"))
        .isInstanceOf(InvalidModelCardException.class).hasMessageContaining("architecture");
    assertThatThrownBy(() -> ModelCard.parse("{".getBytes(StandardCharsets.UTF_8), "card.json"))
        .isInstanceOf(InvalidModelCardException.class).hasMessageContaining("not a model card");
  }

  @Test
  void classNamesComeFromTheDataWhereItHasThem(@TempDir Path dir) throws IOException {
    assertThat(ClassNames.of(data(DataFormat.IDX, "file:///usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", 10),
        new FileBlobs())).hasSize(10).startsWith("T-shirt/top", "Trouser").endsWith("Ankle boot");
    assertThat(ClassNames.of(data(DataFormat.IDX, "file:///data/mnist/train-images-idx3-ubyte.gz", 10), new FileBlobs()))
        .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(ClassNames.of(data(DataFormat.CIFAR, "file:///data/cifar-10-batches-bin/", 10), new FileBlobs()))
        .startsWith("airplane", "automobile");

    for (String folder : List.of("zebra", "ant", "moth")) {
      Files.createDirectories(dir.resolve(folder));
      ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve(folder).resolve("a.png").toFile());
    }
    String uri = dir.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
    assertThat(ClassNames.of(data(DataFormat.FOLDER, uri, 3), new FileBlobs())).containsExactly("ant", "moth", "zebra");
  }

  private static DataSpec data(DataFormat format, String uri, int classes) {
    DataSourceSpec labeled = new DataSourceSpec();
    labeled.setFormat(format);
    labeled.setUri(uri);
    DataSpec data = new DataSpec();
    data.setClasses(classes);
    data.setLabeled(labeled);
    return data;
  }
}
