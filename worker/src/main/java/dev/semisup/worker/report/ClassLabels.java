package dev.semisup.worker.report;

import dev.semisup.api.plan.PlannedStep;
import dev.semisup.worker.model.card.ModelCard;
import java.io.IOException;
import java.util.List;

/**
 * How the page names a class: by the name its run's model card gives it (Fashion-MNIST's
 * "Sneaker", a folder set's class folder) with its number, else by its number alone. The names
 * come from the card of the run's latest trained model, which lists the classes in label order.
 */
final class ClassLabels {

  private final List<String> names;

  private ClassLabels(List<String> names) {
    this.names = names;
  }

  /** The names of the run's latest model card when it has {@code classes} of them; numbers otherwise. */
  static ClassLabels of(RunReportPage.Run run, int classes) throws IOException {
    List<PlannedStep> steps = run.plan().steps();
    for (int i = steps.size() - 1; i >= 0; i--) {
      PlannedStep step = steps.get(i);
      if (!step.stage().trains() || !run.store().exists(run.layout().modelCard(step))) {
        continue;
      }
      String key = run.layout().modelCard(step);
      try {
        List<String> names = ModelCard.parse(run.store().get(key), run.store().uri(key)).classes();
        return new ClassLabels(names.size() == classes ? names : null);
      } catch (IOException unusable) {
        // A damaged card names no class; the page still shows every number.
        return new ClassLabels(null);
      }
    }
    return new ClassLabels(null);
  }

  /** "Sneaker (7)" where the card names class 7, "class 7" where it has no name of its own. */
  String of(int cls) {
    if (names == null || cls < 0 || cls >= names.size() || names.get(cls).equals(Integer.toString(cls))) {
      return Html.className(cls);
    }
    return names.get(cls) + " (" + cls + ")";
  }
}
