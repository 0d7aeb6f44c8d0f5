package dev.semisup.worker.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.testing.TinyDataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `semisup run` with the student pre-trained and fine-tuned on the torch-ddp engine: the reference
 * trainer (trainer/, Debian's PyTorch) runs as a local group of ranks over gloo, and the rest of the
 * pipeline takes its TorchScript models as it takes the worker's. Needs /usr/bin/python3 with
 * PyTorch, as CI installs it: without it the run fails with the install hint, and so does the test.
 */
class TorchDdpRunTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Timeout(600)
  void aLocalRunWithTorchDdpStudentAndFinetuneEndsWithAReport(@TempDir Path dir) throws Exception {
    Path data = TinyDataset.writeTo(dir.resolve("data"));
    String dataUri = data.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
    String manifest = TinyDataset.manifest("ddp", dataUri, "").replace("""
          student:
            architecture: cnn-small
        """, """
          student:
            architecture: cnn-small
            engine: {type: torch-ddp, nodes: 2, gpusPerNode: 0}
            finetuneEngine: {type: torch-ddp, nodes: 1, gpusPerNode: 0}
        """);
    assertThat(manifest).contains("type: torch-ddp, nodes: 2");
    Path file = dir.resolve("ddp.yaml");
    Files.writeString(file, manifest);
    Path store = dir.resolve("store");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(new String[] {"run", file.toString(), "--store", store.toString()}, Map.of(),
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(exit).as("semisup run; out:%n%s%nerr:%n%s", out, err).isZero();

    Path prefix = store.resolve("semisup/runs/local/ddp");
    for (String step : new String[] {"student", "finetune"}) {
      JsonNode card = JSON.readTree(prefix.resolve(step + "/model-card.json").toFile());
      assertThat(card.path("parameters").path("format").asText()).as(step + "'s card").isEqualTo("torchscript");
      assertThat(prefix.resolve(step + "/model.pt")).isRegularFile();
      assertThat(prefix.resolve(step + "/_SUCCESS")).exists();
    }
    assertThat(prefix.resolve("teacher/model.params")).as("the teacher stays on djl").isRegularFile();
    assertThat(prefix.resolve("finetune/servable/serving.properties")).isRegularFile();
    JsonNode report = JSON.readTree(prefix.resolve("report.json").toFile());
    double accuracy = report.path("finalAccuracy").asDouble(-1);
    assertThat(accuracy).as("report.json: %s", report).isBetween(0.0, 1.0);
    assertThat(prefix.resolve("report.html")).isRegularFile();
    assertThat(out.toString()).contains("student, fine-tuned (final)");

    // The trainer's model, read by the worker, scores the validation set as the trainer scored it.
    JsonNode finalCard = JSON.readTree(prefix.resolve("finetune/model-card.json").toFile());
    StringWriter predicted = new StringWriter();
    assertThat(Semisup.execute(new String[] {"predict", "--model", prefix.resolve("finetune").toString(), "--labels",
            data.resolve(TinyDataset.TEST_LABELS).toString(), data.resolve(TinyDataset.TEST_IMAGES).toString(),
            "--output", dir.resolve("predictions.csv").toString()}, Map.of(),
        new PrintWriter(predicted, true), new PrintWriter(new StringWriter(), true))).isZero();
    Matcher counted = Pattern.compile("accuracy [0-9.]+ \\((\\d+) of (\\d+) labeled images\\)").matcher(predicted.toString());
    assertThat(counted.find()).as("predict's output:%n%s", predicted).isTrue();
    long images = finalCard.path("validation").path("images").asLong();
    assertThat(Long.parseLong(counted.group(2))).isEqualTo(images);
    assertThat(Long.parseLong(counted.group(1)))
        .as("predict's count against the trainer's validation accuracy %s", finalCard.path("validation"))
        .isEqualTo(Math.round(finalCard.path("validation").path("accuracy").asDouble() * images));

    StringWriter again = new StringWriter();
    assertThat(Semisup.execute(new String[] {"run", file.toString(), "--store", store.toString()}, Map.of(),
        new PrintWriter(again, true), new PrintWriter(new StringWriter(), true))).isZero();
    assertThat(again.toString()).contains("student: already done", "finetune: already done");
  }
}
