package dev.semisup.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
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
 * names, so the API server refuses any name {@code RunName} refuses ({@link RunNameRule}).
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
@SchemaCustomizer(RunNameRule.class)
public class SemiSupervisedRun extends CustomResource<SemiSupervisedRunSpec, SemiSupervisedRunStatus>
    implements Namespaced {

  public static final String GROUP = "semisup.dev";
  public static final String VERSION = "v1alpha1";
  /** Annotation whose new value restarts the failed stage (retry from the failed step). */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";

  @Override
  protected SemiSupervisedRunSpec initSpec() {
    return new SemiSupervisedRunSpec();
  }

  @Override
  protected SemiSupervisedRunStatus initStatus() {
    return new SemiSupervisedRunStatus();
  }
}
