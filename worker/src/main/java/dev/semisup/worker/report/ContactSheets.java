package dev.semisup.worker.report;

import static dev.semisup.worker.report.Html.escape;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.IndexSummary;
import dev.semisup.worker.sampling.SampledIndex;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The report's contact sheets: per class, the highest-, middle- and lowest-scored entries of the
 * sampled index ({@link ContactSheetPicks}, one streamed pass over the index parts) with their
 * thumbnails ({@link Thumbnails}, one streamed pass over the packed shards), scores, and, where the
 * pool's hidden label differs from the pseudo-label, a mark and the true class.
 *
 * <p>At most {@link #SHEET_CLASSES} classes get a sheet (the chosen ones, else the least precise,
 * else the first), with fewer images per role as classes grow: a 1,000-class page stays small.
 */
public final class ContactSheets {

  /** Most classes with a contact sheet on one page. */
  public static final int SHEET_CLASSES = 100;

  private final RunReportPage.Run run;
  private final Set<Integer> chosenClasses;
  private final ClassLabels labels;

  ContactSheets(RunReportPage.Run run, Set<Integer> chosenClasses, ClassLabels labels) {
    this.run = run;
    this.chosenClasses = Set.copyOf(chosenClasses);
    this.labels = labels;
  }

  /** Appends the contact sheets of the index of {@code select}, described by its {@code summary}. */
  void appendTo(StringBuilder html, PlannedStep select, IndexSummary summary) throws IOException {
    int classes = summary.classes();
    int[] counts = counts(summary);
    boolean[] chosen = chooseSheets(summary);
    int perRole = perRole(classes);
    ContactSheetPicks picks = new ContactSheetPicks(counts, chosen, perRole);
    for (String part : run.store().list(run.layout().folder(select) + "/part-")) {
      try (InputStream in = run.store().open(part);
           SampledIndex.Reader reader = new SampledIndex.Reader(in, run.store().uri(part))) {
        for (Candidate entry = reader.next(); entry != null; entry = reader.next()) {
          picks.accept(entry);
        }
      }
    }
    String mismatch = picks.mismatch();
    if (mismatch != null) {
      throw new IOException(run.store().uri(run.layout().indexSummary(select)) + " does not describe the index: "
          + mismatch);
    }
    Set<String> wanted = new HashSet<>();
    for (int cls = 0; cls < classes; cls++) {
      for (ContactSheetPicks.Pick pick : picks.of(cls)) {
        wanted.add(Thumbnails.entryKey(cls, pick.entry().key()));
      }
    }
    PlannedStep pack = run.plan().sibling(select, Stage.PACK);
    Map<String, String> thumbnails = Thumbnails.of(run.store(), run.layout().folder(pack), wanted);

    int sheets = (int) IntStream.range(0, classes).filter(c -> chosen[c]).count();
    html.append("<h2 id=\"sheets\">Contact sheets of the sampled index (").append(escape(select.id()))
        .append(")</h2>\n<p class=\"meta\">For ")
        .append(sheets == classes ? "every class" : sheets + " of " + classes + " classes (" + sheetChoice(summary) + ")")
        .append(": its ").append(perRole).append(" highest-scored, ").append(perRole).append(" middle and ")
        .append(perRole).append(" lowest-scored sampled images with the teacher's score")
        .append(summary.pseudoLabelPrecision() == null ? "" : "; a red frame marks a wrong pseudo-label, with the"
            + " image's true class")
        .append(".</p>\n");
    for (int cls = 0; cls < classes; cls++) {
      if (!chosen[cls]) {
        continue;
      }
      html.append("<section class=\"sheet\" id=\"class-").append(cls).append("\" data-class=\"").append(cls)
          .append("\"><h3>").append(escape(labels.of(cls))).append(" <span class=\"note\">").append(counts[cls])
          .append(" entries</span></h3>\n");
      if (counts[cls] == 0) {
        html.append("<p class=\"missing\">No image was sampled for this class.</p></section>\n");
        continue;
      }
      for (ContactSheetPicks.Role role : ContactSheetPicks.Role.values()) {
        List<ContactSheetPicks.Pick> ofRole = picks.of(cls).stream().filter(p -> p.role() == role).toList();
        if (ofRole.isEmpty()) {
          continue;
        }
        html.append("<div class=\"role\" data-role=\"").append(role.word()).append("\"><span class=\"caption\">")
            .append(escape(role.caption())).append("</span>");
        for (ContactSheetPicks.Pick pick : ofRole) {
          thumbnail(html, cls, pick, thumbnails.get(Thumbnails.entryKey(cls, pick.entry().key())));
        }
        html.append("</div>\n");
      }
      html.append("</section>\n");
    }
  }

  private void thumbnail(StringBuilder html, int cls, ContactSheetPicks.Pick pick, String dataUri) {
    Candidate entry = pick.entry();
    boolean wrong = entry.hasHiddenLabel() && entry.hiddenLabel() != cls;
    html.append("<figure class=\"thumb").append(wrong ? " wrong" : "").append("\" data-role=\"")
        .append(pick.role().word()).append("\" data-rank=\"").append(pick.rank()).append("\" data-ref=\"")
        .append(escape(entry.key())).append("\" data-score=\"").append(entry.score()).append("\"");
    if (entry.hasHiddenLabel()) {
      html.append(" data-hidden-label=\"").append(entry.hiddenLabel()).append("\"");
    }
    html.append(" data-wrong=\"").append(wrong).append("\">");
    if (dataUri == null) {
      html.append("<div class=\"absent\" title=\"not packed (its image no longer decodes)\">?</div>");
    } else {
      html.append("<img src=\"").append(dataUri).append("\" alt=\"").append(escape(entry.key())).append("\">");
    }
    html.append("<figcaption>#").append(pick.rank() + 1).append(" &middot; ")
        .append(String.format(Locale.ROOT, "%.3f", entry.score()));
    if (wrong) {
      html.append("<br><span class=\"truth\">is ").append(escape(labels.of(entry.hiddenLabel()))).append("</span>");
    }
    html.append("</figcaption></figure>");
  }

  /** The classes that get a sheet: the chosen ones; else all up to the limit; else the least precise, else the first. */
  private boolean[] chooseSheets(IndexSummary summary) {
    int classes = summary.classes();
    boolean[] chosen = new boolean[classes];
    if (!chosenClasses.isEmpty()) {
      for (int cls : chosenClasses) {
        if (cls >= 0 && cls < classes) {
          chosen[cls] = true;
        }
      }
      return chosen;
    }
    Integer[] order = IntStream.range(0, classes).boxed().toArray(Integer[]::new);
    if (classes > SHEET_CLASSES && summary.pseudoLabelPrecision() != null) {
      Double[] precision = new Double[classes];
      for (IndexSummary.ClassSummary c : summary.perClass()) {
        precision[c.pseudoLabel()] = c.pseudoLabelPrecision();
      }
      Arrays.sort(order, Comparator.comparingDouble((Integer c) -> precision[c] == null ? 2.0 : precision[c])
          .thenComparingInt(c -> c));
    }
    for (int i = 0; i < Math.min(classes, SHEET_CLASSES); i++) {
      chosen[order[i]] = true;
    }
    return chosen;
  }

  private String sheetChoice(IndexSummary summary) {
    if (!chosenClasses.isEmpty()) {
      return "chosen with semisup report --classes";
    }
    return (summary.pseudoLabelPrecision() != null ? "those with the lowest pseudo-label precision" : "the first "
        + SHEET_CLASSES) + "; semisup report --classes picks others";
  }

  /** Images per role: fewer as classes grow, so a 1,000-class page stays within a few megabytes. */
  static int perRole(int classes) {
    return classes <= 20 ? 4 : classes <= SHEET_CLASSES ? 3 : 2;
  }

  /** Entries per class, as the summary counts them. */
  static int[] counts(IndexSummary summary) {
    int[] counts = new int[summary.classes()];
    for (IndexSummary.ClassSummary c : summary.perClass()) {
      counts[c.pseudoLabel()] = c.count();
    }
    return counts;
  }
}
