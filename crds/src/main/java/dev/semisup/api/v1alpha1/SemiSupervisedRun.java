package dev.semisup.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One semi-supervised training run: teacher, sampling, student pre-training, fine-tuning.
 *
 * <p>The name becomes the {@code semisup.dev/run} label of its Jobs and pods and the start of their
 * names, so it must be a DNS-1123 label (at most 63 characters, no dots): the API server refuses
 * any other name (CEL rule below, the same regex as {@code SpecValidator}'s name rule).
 */
@Group(SemiSupervisedRun.GROUP)
@Version(SemiSupervisedRun.VERSION)
@Kind("SemiSupervisedRun")
@Plural("semisupervisedruns")
@Singular("semisupervisedrun")
@ShortNames("ssr")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Stage", jsonPath = ".status.stage", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Teacher", jsonPath = ".status.metrics.teacherAccuracy",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Final", jsonPath = ".status.metrics.finalAccuracy",
    type = AdditionalPrinterColumn.Type.NUMBER)
// priority 1: shown by kubectl get -o wide only (a URI is too long for the default view)
@AdditionalPrinterColumn(name = "Report", jsonPath = ".status.reportUri", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "self.metadata.name.matches('" + SemiSupervisedRun.NAME_PATTERN + "')"
    + " && size(self.metadata.name) <= 63",
    message = "metadata.name must be a DNS-1123 label (lowercase letters, digits and '-', at most 63"
        + " characters, no dots): it names the run's Jobs and labels its pods")
public class SemiSupervisedRun extends CustomResource<SemiSupervisedRunSpec, SemiSupervisedRunStatus>
    implements Namespaced {

  public static final String GROUP = "semisup.dev";
  public static final String VERSION = "v1alpha1";
  /** Annotation whose new value restarts the failed stage (retry from the failed step). */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";
  /** A DNS-1123 label; with at most 63 characters, a valid Job name and label value. */
  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  @Override
  protected SemiSupervisedRunSpec initSpec() {
    return new SemiSupervisedRunSpec();
  }

  @Override
  protected SemiSupervisedRunStatus initStatus() {
    return new SemiSupervisedRunStatus();
  }
}
