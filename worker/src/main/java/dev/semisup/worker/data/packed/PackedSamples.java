package dev.semisup.worker.data.packed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.worker.data.formats.TarMembers;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The pack step's tar shards read as their samples' raw members (image bytes, pseudo-label, the
 * index entry's reference and score), one sample at a time: for whoever looks at the sampled
 * images rather than trains on them (the run report's contact sheets). Memory is one sample.
 */
public final class PackedSamples {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One packed sample.
   *
   * @param ref         the index entry's image reference (its key)
   * @param pseudoLabel the entry's class (.cls)
   * @param score       the teacher's score of that class
   * @param image       the image's encoded bytes (PNG or JPEG)
   */
  public record Sample(String ref, int pseudoLabel, float score, byte[] image) {
  }

  /** Told about each sample; returns false to stop reading (everything wanted was found). */
  @FunctionalInterface
  public interface Visitor {
    boolean visit(Sample sample) throws IOException;
  }

  private PackedSamples() {
  }

  /**
   * Visits the samples of every tar shard under the pack folder, in key order, until the visitor
   * returns false; returns false when it stopped early.
   */
  public static boolean read(ObjectStore store, String packFolder, Visitor visitor) throws IOException {
    for (String key : store.list(packFolder + "/shard-")) {
      if (key.endsWith(".tar") && !readShard(store, key, visitor)) {
        return false;
      }
    }
    return true;
  }

  private static boolean readShard(ObjectStore store, String key, Visitor visitor) throws IOException {
    String shard = store.uri(key);
    try (TarMembers members = new TarMembers(shard, store.open(key))) {
      TarArchiveEntry entry = members.next();
      while (entry != null) {
        String base = TarMembers.keyOf(entry.getName());
        byte[] image = null;
        byte[] cls = null;
        byte[] json = null;
        // A sample's members are consecutive: the group ends at the next base name.
        while (entry != null && base.equals(TarMembers.keyOf(entry.getName()))) {
          switch (TarMembers.extensionOf(entry.getName())) {
            case "png", "jpg", "jpeg" -> image = members.read(entry);
            case "cls" -> cls = members.read(entry);
            case "json" -> json = members.read(entry);
            default -> {
              // other members are not part of what a report shows
            }
          }
          entry = members.next();
        }
        if (image == null || cls == null || json == null) {
          throw new IOException(shard + ": sample " + base + " lacks its "
              + (image == null ? "image" : cls == null ? ".cls" : ".json")
              + " member (a packed sample is .png|.jpg, .cls and .json)");
        }
        JsonNode metadata = JSON.readTree(json);
        String label = new String(cls, StandardCharsets.US_ASCII).trim();
        int pseudoLabel;
        try {
          pseudoLabel = Integer.parseInt(label);
        } catch (NumberFormatException e) {
          throw new IOException(shard + ": sample " + base + ".cls holds '" + label + "', not a class", e);
        }
        if (!metadata.hasNonNull("ref")) {
          throw new IOException(shard + ": sample " + base + ".json has no \"ref\"");
        }
        Sample sample = new Sample(metadata.get("ref").asText(), pseudoLabel,
            (float) metadata.path("score").asDouble(Double.NaN), image);
        if (!visitor.visit(sample)) {
          return false;
        }
      }
    }
    return true;
  }
}
