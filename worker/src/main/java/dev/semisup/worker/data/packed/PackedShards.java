package dev.semisup.worker.data.packed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.worker.data.ExampleShard;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.TrainingExample;
import dev.semisup.worker.data.decode.ImageDecoder;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.formats.ShardFiles;
import dev.semisup.worker.data.formats.TarMembers;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The pack step's output read back as training shards: {@code shard-NNNNN-of-MMMMM.tar} objects
 * under the pack folder, WebDataset style. Each sample is {@code <base>.png|jpg} (the image),
 * {@code <base>.cls} (the pseudo-label as ASCII decimal) and {@code <base>.json} (its reference,
 * score and the teacher's top-P classes and probabilities); {@code <base>} is the sample's
 * position in the run's shuffled packed order. With soft targets the example's target is the
 * top-P distribution, else the pseudo-label. An image that will not decode is skipped and
 * counted by the stream; a sample without its label is a broken shard and fails.
 */
public final class PackedShards {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PackedShards() {
  }

  /** The pack folder's tar shards in key order; empty when the folder holds none. */
  public static List<ExampleShard> list(ObjectStore store, String folder, ImageGeometry geometry, int classes,
      boolean soft) throws IOException {
    List<ExampleShard> shards = new ArrayList<>();
    for (String key : store.list(folder + "/shard-")) {
      if (key.endsWith(".tar")) {
        shards.add(new Shard(store, key, geometry, classes, soft));
      }
    }
    return shards;
  }

  private record Shard(ObjectStore store, String key, ImageGeometry geometry, int classes, boolean soft)
      implements ExampleShard {

    @Override
    public String describe() {
      return store.uri(key);
    }

    @Override
    public Reader open() throws IOException {
      TarMembers members = new TarMembers(describe(), store.open(key));
      return new Reader() {
        TarArchiveEntry lookahead;

        @Override
        public Encoded next() throws IOException {
          TarArchiveEntry entry = lookahead != null ? lookahead : members.next();
          lookahead = null;
          if (entry == null) {
            return null;
          }
          String base = TarMembers.keyOf(entry.getName());
          Sample sample = new Sample(base);
          // A sample's members are consecutive: the group ends at the next base name.
          while (entry != null && base.equals(TarMembers.keyOf(entry.getName()))) {
            String extension = TarMembers.extensionOf(entry.getName());
            switch (extension) {
              case "png", "jpg", "jpeg" -> sample.image = members.read(entry);
              case "cls" -> sample.cls = members.read(entry);
              case "json" -> sample.json = members.read(entry);
              default -> {
                // other members (a user's extra annotations) are not training input
              }
            }
            entry = members.next();
          }
          lookahead = entry;
          if (sample.image == null || sample.cls == null || (soft && sample.json == null)) {
            throw new IOException(describe() + ": sample " + base + " lacks its "
                + (sample.image == null ? "image" : sample.cls == null ? ".cls" : ".json")
                + " member (a packed sample is .png|.jpg, .cls and .json)");
          }
          return sample;
        }

        @Override
        public void close() throws IOException {
          members.close();
        }
      };
    }

    /** One sample as read: bytes only, parsed when decoded. */
    private final class Sample implements Encoded {
      final String base;
      byte[] image;
      byte[] cls;
      byte[] json;

      Sample(String base) {
        this.base = base;
      }

      @Override
      public TrainingExample decode() throws IOException {
        String where = describe() + ": sample " + base;
        int label = parseLabel(where);
        long ordinal;
        try {
          ordinal = Long.parseLong(base.substring(base.lastIndexOf('/') + 1));
        } catch (NumberFormatException e) {
          ordinal = -1;
        }
        ImageRecord decoded;
        try {
          decoded = ImageDecoder.decodeFitted(image, ordinal, ShardFiles.name(key) + "/" + base, label, geometry);
        } catch (ImageDecoder.CorruptImageException e) {
          throw new CorruptExample(where + ": corrupt image: " + e.getMessage(), e);
        }
        if (!soft) {
          return TrainingExample.hard(decoded, label);
        }
        JsonNode target = JSON.readTree(json);
        JsonNode ids = target.path("classes");
        JsonNode probabilities = target.path("probabilities");
        if (!ids.isArray() || !probabilities.isArray() || ids.size() != probabilities.size() || ids.isEmpty()) {
          throw new IOException(where + ".json: needs \"classes\" and \"probabilities\" arrays of one length");
        }
        int[] classIds = new int[ids.size()];
        float[] weights = new float[ids.size()];
        for (int i = 0; i < classIds.length; i++) {
          classIds[i] = ids.get(i).asInt(-1);
          weights[i] = (float) probabilities.get(i).asDouble();
          if (classIds[i] < 0 || classIds[i] >= classes) {
            throw new IOException(where + ".json: class " + ids.get(i) + " outside 0.." + (classes - 1));
          }
        }
        return TrainingExample.soft(decoded, classIds, weights);
      }

      private int parseLabel(String where) throws IOException {
        String text = new String(cls, StandardCharsets.US_ASCII).trim();
        try {
          int label = Integer.parseInt(text);
          if (label >= 0 && label < classes) {
            return label;
          }
        } catch (NumberFormatException e) {
          // reported below with the member's name
        }
        throw new IOException(where + ".cls: holds '" + text + "', not a class in 0.." + (classes - 1));
      }
    }
  }
}
