package dev.semisup.operator.decision;

import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.StageStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run as the decision sees it: its valid spec's verdicts and its status, read only. Built with
 * {@link #builder}, which names each part and gives the optional ones their neutral value.
 *
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

  /** A view of an unrefused, unsuspended run with nothing to retry; the builder's setters say otherwise. */
  public static Builder builder(StagePlan plan, List<StageStatus> stages, RunMarker self, String prefix) {
    return new Builder(plan, stages, self, prefix);
  }

  public StageStatus stage(String step) {
    return stages.stream().filter(s -> s.getName().equals(step)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no status of planned step " + step));
  }

  /** The prefix every run of the namespace may use without asking: runs/namespace/. */
  public String namespacePrefix() {
    return "runs/" + self.namespace() + "/";
  }

  /** Names each part of a {@link RunView}; the four every view needs are the builder's arguments. */
  public static final class Builder {
    private final StagePlan plan;
    private final List<StageStatus> stages;
    private final RunMarker self;
    private final String prefix;
    private Optional<String> refusal = Optional.empty();
    private boolean firstAcceptance;
    private boolean suspend;
    private String retryValue;
    private String handledRetry;
    private boolean reuseArtifacts;
    private Map<String, Integer> groupRestartLimits = Map.of();

    private Builder(StagePlan plan, List<StageStatus> stages, RunMarker self, String prefix) {
      this.plan = plan;
      this.stages = stages;
      this.self = self;
      this.prefix = prefix;
    }

    public Builder refusal(Optional<String> refusal) {
      this.refusal = refusal;
      return this;
    }

    public Builder firstAcceptance(boolean firstAcceptance) {
      this.firstAcceptance = firstAcceptance;
      return this;
    }

    public Builder suspend(boolean suspend) {
      this.suspend = suspend;
      return this;
    }

    /** The retry annotation's value (null: none) and the last value acted on. */
    public Builder retry(String value, String handled) {
      this.retryValue = value;
      this.handledRetry = handled;
      return this;
    }

    public Builder reuseArtifacts(boolean reuseArtifacts) {
      this.reuseArtifacts = reuseArtifacts;
      return this;
    }

    public Builder groupRestartLimits(Map<String, Integer> groupRestartLimits) {
      this.groupRestartLimits = groupRestartLimits;
      return this;
    }

    public RunView build() {
      return new RunView(refusal, plan, stages, firstAcceptance, suspend, retryValue, handledRetry, self,
          reuseArtifacts, prefix, groupRestartLimits);
    }
  }
}
