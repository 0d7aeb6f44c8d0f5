package dev.semisup.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.worker.cli.Semisup;
import dev.semisup.worker.model.card.ModelCard;
import dev.semisup.worker.testing.TinyDataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semisup report} against a run folder it must not damage and records it must not trust:
 * -o never replaces a file of the run (report.json with HTML made every later report fail), keeps
 * an existing file unless --force, and a summary.json declaring two billion classes is refused
 * before it sizes anything.
 */
class HostileReportTest {

  @TempDir
  Path dir;

  SyntheticRun synthetic;
  Path prefix;

  record Result(int exit, String out, String err) {
  }

  @BeforeEach
  void run() throws Exception {
    synthetic = new SyntheticRun(dir.resolve("store"), 3, 6, 3, 0);
    synthetic.store.putString(synthetic.layout.specSnapshot(), Manifests.toJson(Manifests.parse(
        TinyDataset.manifest("synthetic", "file:///data/", ""), "synthetic").getSpec()));
    prefix = dir.resolve("store/runs/local/synthetic");
  }

  @Test
  void theRunsOwnReportJsonIsNeverAnOutputEvenWithForce() throws Exception {
    byte[] before = Files.readAllBytes(prefix.resolve("report.json"));

    Result result = report(prefix.toUri().toString(), "-o", prefix.resolve("report.json").toString(), "--force");
    Result again = report(prefix.toUri().toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("--output", "the folder this command reads");
    assertThat(Files.readAllBytes(prefix.resolve("report.json"))).isEqualTo(before);
    assertThat(again.exit()).as(again.err()).isZero();
  }

  @Test
  void anExistingFileIsKeptUnlessForced() throws Exception {
    Path copy = Files.writeString(dir.resolve("page.html"), "mine");

    Result kept = report(prefix.toUri().toString(), "-o", copy.toString());

    assertThat(kept.exit()).isEqualTo(2);
    assertThat(kept.err()).contains("already exists", "--force");
    assertThat(Files.readString(copy)).isEqualTo("mine");

    Result forced = report(prefix.toUri().toString(), "-o", copy.toString(), "--force");

    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(Files.readString(copy)).startsWith("<!DOCTYPE html>");
  }

  @Test
  void outputDashWritesThePageToStandardOutput() {
    Result result = report(prefix.toUri().toString(), "-o", "-");

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(result.err()).contains("report of run 'synthetic'");
  }

  @Test
  void aSummaryDeclaringTwoBillionClassesExitsTwoNamingIt() throws Exception {
    PlannedStep select = synthetic.plan.require("select");
    String key = synthetic.layout.indexSummary(select);
    ObjectNode summary = (ObjectNode) SyntheticRun.JSON.readTree(synthetic.store.get(key));
    summary.put("classes", 2_000_000_000);
    synthetic.store.put(key, SyntheticRun.JSON.writeValueAsBytes(summary));

    Result result = report(prefix.toUri().toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains("summary.json: declares 2000000000 classes but describes 3");
  }

  @Test
  void aSummaryListingAClassTwiceIsRefused() throws Exception {
    PlannedStep select = synthetic.plan.require("select");
    String key = synthetic.layout.indexSummary(select);
    ObjectNode summary = (ObjectNode) SyntheticRun.JSON.readTree(synthetic.store.get(key));
    ((ObjectNode) ((ArrayNode) summary.get("perClass")).get(2)).put("pseudoLabel", 0);
    synthetic.store.put(key, SyntheticRun.JSON.writeValueAsBytes(summary));

    assertThatThrownBy(() -> RunReportPage.build(synthetic.run(), RunReportPageTest.CLOCK, Set.of()))
        .isInstanceOf(InvalidRunRecordException.class)
        .hasMessageContaining("perClass lists class 0");
  }

  @Test
  void classesAreNamedAsTheRunsModelCardNamesThem() throws Exception {
    PlannedStep finetune = synthetic.plan.steps().stream().filter(step -> step.stage().trains()).reduce((a, b) -> b)
        .orElseThrow();
    ModelCard card = new ModelCard(ModelCard.FORMAT, "cnn-small", null, List.of("T-shirt", "Trouser", "Pullover"), 8, 1,
        ModelCard.FIT, new double[] {0.5}, new double[] {0.25}, null, null, finetune.id(),
        new ModelCard.Parameters("model.params", ModelCard.SEMISUP_PARAMETERS));
    synthetic.store.put(synthetic.layout.modelCard(finetune), card.toJson());

    Document page = Jsoup.parse(new String(RunReportPage.build(synthetic.run(), RunReportPageTest.CLOCK, Set.of()),
        StandardCharsets.UTF_8));

    assertThat(page.select("#class-table tr[data-class] td:first-child").eachText())
        .containsExactly("T-shirt (0)", "Trouser (1)", "Pullover (2)");
    assertThat(page.select("section.sheet h3").eachText()).first().asString().startsWith("T-shirt (0)");
  }

  @Test
  void classesWithoutNamesKeepTheirNumbers() throws Exception {
    Document page = Jsoup.parse(new String(RunReportPage.build(synthetic.run(), RunReportPageTest.CLOCK, Set.of()),
        StandardCharsets.UTF_8));

    assertThat(page.select("#class-table tr[data-class] td:first-child").eachText())
        .containsExactly("class 0", "class 1", "class 2");
  }

  private static Result report(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "report";
    System.arraycopy(args, 0, all, 1, args.length);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Semisup.execute(all, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }
}
