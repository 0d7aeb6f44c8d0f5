package dev.semisup.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.report.RunMarker;
import dev.semisup.worker.stages.BadInputException;
import dev.semisup.worker.store.ObjectStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which run owns a prefix, by its run marker ({@code <prefix>/run.json}): claimed before a run's
 * first step and checked before every step, so no run reads, overwrites or deletes another run's
 * artifacts. A prefix is this run's when its marker names the same namespace and name (and the
 * same UID where both have one). A marker naming another run, a marker-less prefix that already
 * holds objects (someone's data), and a prefix inside another run's prefix are refused with exit 2
 * before anything is written. {@code storage.reuseArtifacts} adopts the marker of an earlier run of
 * the same namespace and name (a deleted and re-created run on a cluster), nothing else.
 */
public final class RunOwnership {

  private static final Logger LOG = LoggerFactory.getLogger(RunOwnership.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MARKER_NAME = "run.json";

  private RunOwnership() {
  }

  /** Makes sure the prefix is this run's, writing the marker when the prefix is new. */
  public static void claim(ObjectStore store, ObjectLayout layout, RunMarker me, boolean reuseArtifacts) throws IOException {
    refuseNesting(store, layout, me);
    String markerKey = layout.runMarker();
    if (!store.exists(markerKey)) {
      List<String> keys = store.list(layout.prefix() + "/");
      if (!keys.contains(markerKey)) {
        if (!keys.isEmpty()) {
          throw new BadInputException(where(store, layout) + " already holds " + keys.size() + " object(s) (e.g. "
              + store.uri(keys.get(0)) + ") but no run marker (" + MARKER_NAME + "): they are not run "
              + me.describe() + "'s, so it will not use or delete them; choose another spec.storage.prefix"
              + " (or --store), or move them away (if they are this run's, written before run markers existed,"
              + " adopt them by writing " + store.uri(markerKey) + " with {\"namespace\": \"" + me.namespace()
              + "\", \"name\": \"" + me.name() + "\"})");
        }
        write(store, markerKey, me);
        return;
      }
      // Another worker of this run (an infer shard) wrote the marker between the two reads.
    }
    RunMarker owner = read(store, markerKey);
    if (owns(owner, me)) {
      if (owner.uid() == null && me.uid() != null) {
        write(store, markerKey, me);
      }
      return;
    }
    boolean sameName = Objects.equals(owner.namespace(), me.namespace()) && Objects.equals(owner.name(), me.name());
    if (sameName && reuseArtifacts) {
      LOG.warn("{} belongs to an earlier run {}; spec.storage.reuseArtifacts is true, so run {} adopts its artifacts",
          where(store, layout), owner.describe(), me.describe());
      write(store, markerKey, me);
      return;
    }
    throw new BadInputException(where(store, layout) + " belongs to run " + owner.describe() + ", not to run "
        + me.describe() + (sameName
            ? ": an earlier run of the same name; set spec.storage.reuseArtifacts: true to adopt its artifacts,"
                + " or choose another spec.storage.prefix"
            : ": choose another metadata.name or spec.storage.prefix"));
  }

  /**
   * What {@code --fresh} deletes: the run's own keys under its prefix, never its marker or lock and never
   * the keys of another run whose prefix lies inside this one. Call after {@link #claim}.
   */
  public static void deleteOwnArtifacts(ObjectStore store, ObjectLayout layout) throws IOException {
    for (String key : ownArtifacts(store, layout)) {
      store.delete(key);
    }
  }

  static List<String> ownArtifacts(ObjectStore store, ObjectLayout layout) throws IOException {
    String prefix = layout.prefix() + "/";
    List<String> keys = store.list(prefix);
    List<String> nestedRuns = new ArrayList<>();
    for (String key : keys) {
      if (key.endsWith("/" + MARKER_NAME) && !key.equals(layout.runMarker())) {
        nestedRuns.add(key.substring(0, key.length() - MARKER_NAME.length()));
      }
    }
    List<String> own = new ArrayList<>();
    for (String key : keys) {
      if (!key.equals(layout.runMarker()) && !key.equals(layout.runLock()) && nestedRuns.stream().noneMatch(key::startsWith)) {
        own.add(key);
      }
    }
    return own;
  }

  /** Same namespace and name, and the same UID where both markers have one. */
  static boolean owns(RunMarker owner, RunMarker me) {
    return Objects.equals(owner.namespace(), me.namespace()) && Objects.equals(owner.name(), me.name())
        && (owner.uid() == null || me.uid() == null || owner.uid().equals(me.uid()));
  }

  /** A prefix inside another run's prefix would mix its artifacts into that run's (and its --fresh). */
  private static void refuseNesting(ObjectStore store, ObjectLayout layout, RunMarker me) throws IOException {
    String prefix = layout.prefix();
    for (int slash = prefix.indexOf('/'); slash > 0; slash = prefix.indexOf('/', slash + 1)) {
      ObjectLayout outer = new ObjectLayout(prefix.substring(0, slash));
      if (store.exists(outer.runMarker())) {
        RunMarker owner = read(store, outer.runMarker());
        throw new BadInputException(where(store, layout) + " lies inside the prefix " + outer.prefix() + " of run "
            + owner.describe() + ": choose a spec.storage.prefix outside it");
      }
    }
    if (prefix.isEmpty()) {
      throw new BadInputException("run " + me.describe() + " has an empty store prefix: it would share the bucket's root");
    }
  }

  private static RunMarker read(ObjectStore store, String key) throws IOException {
    try {
      RunMarker marker = JSON.readValue(store.get(key), RunMarker.class);
      if (marker == null || marker.name() == null) {
        throw new IOException("no run name in it");
      }
      return marker;
    } catch (IOException e) {
      throw new BadInputException(store.uri(key) + " is not a run marker (JSON with namespace and name):"
          + " the prefix may be another program's; choose another spec.storage.prefix", e);
    }
  }

  private static void write(ObjectStore store, String key, RunMarker marker) throws IOException {
    store.put(key, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(marker));
  }

  private static String where(ObjectStore store, ObjectLayout layout) {
    return "the prefix " + store.uri(layout.prefix());
  }
}
