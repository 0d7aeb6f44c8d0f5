package dev.semisup.operator.decision;

import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.StageStatus;
import dev.semisup.api.validation.Problem;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run as the decision sees it: its spec's verdicts and its status, read only.
 *
 * @param problems        what the spec validator found (empty: valid)
 * @param refusal         why the operator's policy refuses the run (allowlists), if it does
 * @param plan            the plan of the accepted spec
 * @param stages          the status of each planned step, in plan order
 * @param firstAcceptance the run was accepted in this reconcile and has no stage history
 * @param suspend         spec.suspend
 * @param retryValue      the retry annotation's value (null: none)
 * @param handledRetry    the last value acted on
 * @param self            this run's marker
 * @param reuseArtifacts  spec.storage.reuseArtifacts
 * @param prefix          the resolved storage prefix
 * @param groupRestartLimits the steps that run as a pod group (torch-ddp), by id, with how many
 *                        times the whole group may restart after a pod failure
 */
public record RunView(
    List<Problem> problems,
    Optional<String> refusal,
    StagePlan plan,
    List<StageStatus> stages,
    boolean firstAcceptance,
    boolean suspend,
    String retryValue,
    String handledRetry,
    RunMarker self,
    boolean reuseArtifacts,
    String prefix,
    Map<String, Integer> groupRestartLimits) {

  public RunView {
    groupRestartLimits = Map.copyOf(groupRestartLimits);
  }

  public StageStatus stage(String step) {
    return stages.stream().filter(s -> s.getName().equals(step)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no status of planned step " + step));
  }

  /** The prefix every run of the namespace may use without asking: runs/namespace/. */
  public String namespacePrefix() {
    return "runs/" + self.namespace() + "/";
  }
}
