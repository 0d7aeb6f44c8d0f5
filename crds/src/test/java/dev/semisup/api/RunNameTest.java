package dev.semisup.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.manifest.Manifests;
import dev.semisup.api.naming.RunName;
import dev.semisup.api.naming.StepJobName;
import dev.semisup.api.naming.StorePrefix;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.api.validation.SpecValidator.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One name rule (a DNS-1123 label) and one prefix rule, so no run's prefix nests in another's by its name. */
class RunNameTest {

  static List<Problem> problems(String manifest) throws ManifestException {
    return SpecValidator.validate(Manifests.parse(manifest, "run.yaml"), Target.LOCAL);
  }

  @Test
  void aDnsLabelIsAName() {
    assertThat(RunName.problem("fashion-mnist-2")).isEmpty();
    assertThat(RunName.problem("a")).isEmpty();
    assertThat(RunName.problem("a".repeat(RunName.MAX_LENGTH))).isEmpty();
  }

  /**
   * The limit is what the Job names leave: 63 (a DNS label) less the highest shard index ("-9999"),
   * the last round's longest step and a two-digit retry ("-finetune-r10-a99").
   */
  @Test
  void theLengthLimitLeavesRoomForEveryJobNameAndPodHostName() {
    assertThat(StepJobName.LONGEST_INDEX_SUFFIX).isEqualTo("-9999");
    assertThat(StepJobName.LONGEST_STEP_SUFFIX).isEqualTo("-finetune-r10-a99");
    assertThat(RunName.MAX_LENGTH).isEqualTo(63 - "-9999".length() - "-finetune-r10-a99".length());
    assertThat(RunName.problem("a".repeat(RunName.MAX_LENGTH + 1))).get().asString()
        .contains("at most " + RunName.MAX_LENGTH + " characters", "-finetune-r10-a99");
  }

  @Test
  void emptySlashedUpperCaseOrLongNamesAreRefused() {
    for (String name : new String[] {"", "a/b", "../x", "Demo", "-demo", "demo-", "de_mo", "de.mo", "a".repeat(RunName.MAX_LENGTH + 1)}) {
      assertThat(RunName.problem(name)).as(name).isPresent();
    }
    assertThat(RunName.problem(null)).get().asString().contains("is required");
    assertThat(RunName.problem("a".repeat(300))).get().asString().contains("at most " + RunName.MAX_LENGTH + " characters", "has 300");
  }

  @Test
  void theValidatorChecksTheRunNameFirst() throws ManifestException {
    assertThat(problems(SpecValidatorTest.MANIFEST.replace("name: demo,", "name: \"smoke/teacher\","))).extracting(Problem::field)
        .contains("metadata.name");
    assertThat(problems(SpecValidatorTest.MANIFEST.replace("name: demo,", "name: \"\","))).extracting(Problem::toString)
        .anySatisfy(p -> assertThat(p).startsWith("metadata.name: is required"));
    assertThat(problems(SpecValidatorTest.MANIFEST.replace("metadata: {name: demo, namespace: team-a}", "metadata: {}")))
        .extracting(Problem::field).contains("metadata.name");
    assertThat(problems(SpecValidatorTest.MANIFEST)).isEmpty();
  }

  @Test
  void anExplicitPrefixMustBeACleanRelativeKey() throws ManifestException {
    assertThat(StorePrefix.problem("runs/team-a/demo_1.v2")).isEmpty();
    for (String prefix : new String[] {"/runs/a", "runs/a/", "runs//a", "runs/../a", "runs/./a", "runs/a b", "runs/ä"}) {
      assertThat(StorePrefix.problem(prefix)).as(prefix).isPresent();
    }
    String manifest = SpecValidatorTest.MANIFEST.replace("credentialsSecret: minio}", "credentialsSecret: minio, prefix: \"runs//x\"}");
    assertThat(problems(manifest)).extracting(Problem::field).containsExactly("spec.storage.prefix");
  }
}
