package dev.semisup.worker.predict;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  public static PredictionWriter toTerminal(PrintWriter out) {
    return new PredictionWriter() {
      @Override
      public void write(String key, int label, List<Ranked> top) {
        StringBuilder line = new StringBuilder(key);
        for (Ranked ranked : top) {
          line.append(String.format(Locale.ROOT, "  %s %.4f", ranked.className(), ranked.probability()));
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
      return new Csv(Files.newBufferedWriter(file, StandardCharsets.UTF_8), top);
    }
    if (name.endsWith(".json")) {
      return new Json(new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8));
    }
    throw new PredictInputException("--output " + file + ": must end in .csv or .json");
  }

  /** image,label,class_1,probability_1,...: one row per image; label empty where there is none. */
  private static final class Csv extends PredictionWriter {
    private final BufferedWriter out;

    Csv(BufferedWriter out, int top) throws IOException {
      this.out = out;
      StringBuilder header = new StringBuilder("image,label");
      for (int rank = 1; rank <= top; rank++) {
        header.append(",class_").append(rank).append(",probability_").append(rank);
      }
      out.write(header.append('\n').toString());
    }

    @Override
    public void write(String key, int label, List<Ranked> top) throws IOException {
      StringBuilder row = new StringBuilder(quoted(key)).append(',');
      if (label >= 0) {
        row.append(label);
      }
      for (Ranked ranked : top) {
        row.append(',').append(quoted(ranked.className()))
            .append(String.format(Locale.ROOT, ",%.6f", ranked.probability()));
      }
      out.write(row.append('\n').toString());
    }

    private static String quoted(String field) {
      return field.contains(",") || field.contains("\"") || field.contains("\n")
          ? "\"" + field.replace("\"", "\"\"") + "\"" : field;
    }

    @Override
    public void close() throws IOException {
      out.close();
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
