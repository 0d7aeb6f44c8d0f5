package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.WorkerContract;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.store.S3ObjectStore;
import dev.semisup.worker.store.S3TestServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run report of a real (tiny) run: written by the last fine-tune, its contact sheets the
 * index's own top, middle and bottom entries of every class, and rebuilt by {@code semisup report}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportCommandTest {

  @TempDir
  static Path dir;
  static TinyRuns runs;
  static Path prefix;

  @BeforeAll
  static void runTinyRun() throws Exception {
    runs = new TinyRuns(dir);
    TinyRuns.Result result = runs.run(runs.write("tiny.yaml", runs.manifest("tiny", "")));
    assertThat(result.exit()).as(result.err()).isZero();
    prefix = runs.prefix("runs/local/tiny");
  }

  @Test
  @Order(1)
  void theLastFinetuneWritesAPageWhoseSheetsAreTheIndexsOwnEntries() throws Exception {
    assertThat(prefix.resolve("report.html")).exists();
    Document page = Jsoup.parse(prefix.resolve("report.html").toFile(), "UTF-8");
    Map<Integer, List<Candidate>> index = new TreeMap<>();
    try (InputStream in = Files.newInputStream(prefix.resolve("index/part-00000.bin"))) {
      for (Candidate entry : SampledIndex.readAll(in, "index")) {
        index.computeIfAbsent(entry.pseudoLabel(), c -> new ArrayList<>()).add(entry);
      }
    }

    assertThat(page.select("#class-table tr[data-class]").eachAttr("data-class")).containsExactly("0", "1", "2");
    assertThat(page.select("section.sheet").eachAttr("data-class")).containsExactly("0", "1", "2");
    int figures = 0;
    for (Map.Entry<Integer, List<Candidate>> cls : index.entrySet()) {
      List<Candidate> ranked = cls.getValue();
      Element sheet = page.selectFirst("section.sheet[data-class=" + cls.getKey() + "]");
      List<Element> top = sheet.select("div.role[data-role=top] figure.thumb");
      List<Element> bottom = sheet.select("div.role[data-role=bottom] figure.thumb");
      assertThat(top).extracting(e -> e.attr("data-ref")).containsExactly(
          ranked.subList(0, top.size()).stream().map(Candidate::key).toArray(String[]::new));
      assertThat(bottom).extracting(e -> e.attr("data-ref")).containsExactly(
          ranked.subList(ranked.size() - bottom.size(), ranked.size()).stream().map(Candidate::key).toArray(String[]::new));
      for (Element figure : sheet.select("figure.thumb")) {
        Candidate entry = ranked.get(Integer.parseInt(figure.attr("data-rank")));
        assertThat(figure.attr("data-ref")).isEqualTo(entry.key());
        assertThat(figure.attr("data-hidden-label")).isEqualTo(Integer.toString(entry.hiddenLabel()));
        assertThat(figure.attr("data-wrong")).isEqualTo(Boolean.toString(entry.hiddenLabel() != cls.getKey()));
        assertThat(figure.selectFirst("img").attr("src")).startsWith("data:image/png;base64,");
        figures++;
      }
      int middle = sheet.select("div.role[data-role=middle] figure.thumb").size();
      assertThat(top.size() + middle + bottom.size()).isEqualTo(Math.min(ranked.size(), 12));
    }
    assertThat(figures).isPositive();
    // every training step drew its curves; the steps are on the timeline
    assertThat(page.select("figure.curve").eachAttr("data-step")).containsExactly("teacher", "student", "finetune");
    assertThat(page.select("table.timeline tr[data-step]").eachAttr("data-step"))
        .containsExactly("teacher", "infer", "select", "pack", "student", "finetune");
  }

  @Test
  @Order(2)
  void semisupReportRebuildsThePageFromThePrefixUri() throws Exception {
    Path copy = dir.resolve("copy.html");
    Files.delete(prefix.resolve("report.html"));
    TinyRuns.Result result = semisup("report", prefix.toUri().toString(), "--classes", "2", "-o", copy.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("report of run 'tiny'").contains("report.html");
    assertThat(prefix.resolve("report.html")).exists();
    Document page = Jsoup.parse(copy.toFile(), "UTF-8");
    assertThat(page.select("section.sheet").eachAttr("data-class")).containsExactly("2");
    // the pipeline ran: every step's end is recorded, none is still running
    assertThat(page.select("table.timeline").text()).doesNotContain("running");
  }

  @Test
  @Order(3)
  void semisupReportWithTheManifestFindsTheSameRun() throws Exception {
    TinyRuns.Result result = semisup("report", dir.resolve("tiny.yaml").toString(), "--store", runs.store().toString());
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains(prefix.resolve("report.html").toUri().toString());
  }

  @Test
  @Order(4)
  void semisupReportReadsAndWritesARunOnS3() throws Exception {
    try (S3TestServer s3 = S3TestServer.start()) {
      S3ObjectStore store = new S3ObjectStore(s3.endpointClient(), s3.bucket());
      try (Stream<Path> files = Files.walk(prefix)) {
        for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("report.html"))
            .toList()) {
          store.put("runs/ml/tiny/" + prefix.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
        }
      }
      Map<String, String> env = Map.of(WorkerContract.ENV_ACCESS_KEY, s3.accessKey(),
          WorkerContract.ENV_SECRET_KEY, s3.secretKey());
      TinyRuns.Result result = semisup(env, "report", "s3://" + s3.bucket() + "/runs/ml/tiny", "--endpoint", s3.endpoint());

      assertThat(result.exit()).as(result.err()).isZero();
      assertThat(result.out()).contains("s3://" + s3.bucket() + "/runs/ml/tiny/report.html");
      Document page = Jsoup.parse(store.getString("runs/ml/tiny/report.html"));
      assertThat(page.select("section.sheet").eachAttr("data-class")).containsExactly("0", "1", "2");
      assertThat(page.select("section.sheet img[src^=data:image/png]")).isNotEmpty();
    }
  }

  @Test
  @Order(5)
  void badInputExitsWithTwoNamingWhatIsWrong() {
    TinyRuns.Result noRun = semisup("report", dir.resolve("nothing-here").toUri().toString());
    assertThat(noRun.exit()).isEqualTo(2);
    assertThat(noRun.err()).contains("nothing-here").contains("not a directory");

    TinyRuns.Result emptyPrefix = semisup("report", dir.resolve("data").toUri().toString());
    assertThat(emptyPrefix.exit()).isEqualTo(2);
    assertThat(emptyPrefix.err()).contains("spec.json").contains("does not exist");

    TinyRuns.Result badClass = semisup("report", prefix.toUri().toString(), "--classes", "7");
    assertThat(badClass.exit()).isEqualTo(2);
    assertThat(badClass.err()).contains("--classes: 7 is not a class of this run (0..2)");

    TinyRuns.Result s3WithoutEndpoint = semisup("report", "s3://bucket/runs/ml/x");
    assertThat(s3WithoutEndpoint.exit()).isEqualTo(2);
    assertThat(s3WithoutEndpoint.err()).contains("--endpoint");
  }

  private static TinyRuns.Result semisup(String... args) {
    return semisup(Map.of(), args);
  }

  private static TinyRuns.Result semisup(Map<String, String> env, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int exit = Semisup.execute(args, env, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
    return new TinyRuns.Result(exit, out.toString(), err.toString());
  }
}
