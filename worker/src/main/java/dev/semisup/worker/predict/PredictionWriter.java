package dev.semisup.worker.predict;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.semisup.worker.input.Printable;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where predict's answers go, image by image: lines on the terminal, or a CSV or JSON file (by the
 * file's extension) for many images. Each answer is the image's key, its label where the input
 * has one, and its top classes with their probabilities, most probable first.
 */
public abstract class PredictionWriter implements Closeable {

  /** One class of an answer. */
  public record Ranked(String className, int classIndex, float probability) {
  }

  /** @param label the image's class, or -1 when the input has none */
  public abstract void write(String key, int label, List<Ranked> top) throws IOException;

  /** Lines for a person: names from the data shown with their control characters made visible. */
  public static PredictionWriter toTerminal(PrintWriter out) {
    return new PredictionWriter() {
      @Override
      public void write(String key, int label, List<Ranked> top) {
        StringBuilder line = new StringBuilder(Printable.of(key));
        for (Ranked ranked : top) {
          line.append(String.format(Locale.ROOT, "  %s %.4f", Printable.of(ranked.className()), ranked.probability()));
        }
        out.println(line);
      }

      @Override
      public void close() {
        out.flush();
      }
    };
  }

  /** A .csv or .json file; any other extension is the caller's error, named as --output. */
  public static PredictionWriter toFile(Path file, int top) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return toCsv(Files.newBufferedWriter(file, StandardCharsets.UTF_8), top, true);
    }
    if (name.endsWith(".json")) {
      return new Json(new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8));
    }
    throw new PredictInputException("--output " + file + ": must end in .csv or .json");
  }

  /**
   * image,label,class_1,probability_1,...: one row per image, label empty where there is none,
   * quoted as RFC 4180 says (a name with a comma, quote, CR or LF is one quoted field).
   *
   * @param closeTarget false to leave {@code out} open (standard output)
   */
  public static PredictionWriter toCsv(Writer out, int top, boolean closeTarget) throws IOException {
    return new Csv(out, top, closeTarget);
  }

  private static final class Csv extends PredictionWriter {
    private static final CsvMapper MAPPER = new CsvMapper();

    private final SequenceWriter rows;
    private final int top;
    private final boolean closeTarget;
    private final Writer target;

    Csv(Writer out, int top, boolean closeTarget) throws IOException {
      this.top = top;
      CsvSchema.Builder columns = CsvSchema.builder().addColumn("image").addColumn("label");
      for (int rank = 1; rank <= top; rank++) {
        columns.addColumn("class_" + rank).addColumn("probability_" + rank);
      }
      CsvSchema schema = columns.build().withHeader().withLineSeparator("\n");
      this.rows = MAPPER.writer(schema)
          .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .writeValues(out);
      this.closeTarget = closeTarget;
      this.target = out;
    }

    @Override
    public void write(String key, int label, List<Ranked> top) throws IOException {
      List<String> row = new ArrayList<>(2 + 2 * this.top);
      row.add(key);
      row.add(label >= 0 ? Integer.toString(label) : "");
      for (Ranked ranked : top) {
        row.add(ranked.className());
        row.add(String.format(Locale.ROOT, "%.6f", ranked.probability()));
      }
      rows.write(row);
    }

    @Override
    public void close() throws IOException {
      rows.close();
      if (closeTarget) {
        target.close();
      } else {
        target.flush();
      }
    }
  }

  /** [{"image": ..., "label": ..., "top": [{"class": ..., "index": ..., "probability": ...}]}, ...] */
  private static final class Json extends PredictionWriter {
    private final JsonGenerator out;

    Json(JsonGenerator out) throws IOException {
      this.out = out;
      out.writeStartArray();
    }

    @Override
    public void write(String key, int label, List<Ranked> top) throws IOException {
      out.writeStartObject();
      out.writeStringField("image", key);
      if (label >= 0) {
        out.writeNumberField("label", label);
      }
      out.writeArrayFieldStart("top");
      for (Ranked ranked : top) {
        out.writeStartObject();
        out.writeStringField("class", ranked.className());
        out.writeNumberField("index", ranked.classIndex());
        out.writeNumberField("probability", ranked.probability());
        out.writeEndObject();
      }
      out.writeEndArray();
      out.writeEndObject();
      out.writeRaw('\n');
    }

    @Override
    public void close() throws IOException {
      out.writeEndArray();
      out.close();
    }
  }
}
