package dev.semisup.worker.cli;

import dev.semisup.api.WorkerContract;
import dev.semisup.api.layout.ObjectLayout;
import dev.semisup.api.manifest.ManifestException;
import dev.semisup.api.naming.RunName;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.StagePlan;
import dev.semisup.api.report.RunMarker;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.api.validation.Problem;
import dev.semisup.api.validation.SpecValidator;
import dev.semisup.worker.data.Preflight;
import dev.semisup.worker.input.InvalidSettingException;
import dev.semisup.worker.run.RunLock;
import dev.semisup.worker.run.RunOwnership;
import dev.semisup.worker.run.StageRunner;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.TrainedElsewhere;
import dev.semisup.worker.store.StoreConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code semisup stage STEP}: what a worker pod runs. The spec comes from SEMISUP_SPEC, the
 * store prefix from SEMISUP_STORE_PREFIX, credentials from AWS_ACCESS_KEY_ID/SECRET, and an
 * infer shard's index from JOB_COMPLETION_INDEX (set by the Indexed Job). Run by hand (no
 * SEMISUP_RUN_NAME), it is a step of the run {@code semisup run} makes of the same manifest: the
 * same folder, from metadata.name, and the same lock, so the two never write the run at once.
 */
@Command(name = "stage", description = "Run one step of a run's plan, as a worker pod does.")
final class StageCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "STEP", description = "Step id: teacher, infer, select, pack, student, finetune (-r2... for later rounds).")
  String stepId;

  @Option(names = "--spec-file", description = "Spec or whole manifest (YAML/JSON) instead of $" + WorkerContract.ENV_SPEC + ".")
  Path specFile;

  @Option(names = "--store", description = "Local store directory when the spec names no S3 endpoint (default ${DEFAULT-VALUE}).",
      defaultValue = ".semisup/store")
  Path localStore;

  @Option(names = WorkerContract.COMPLETE_OPTION, description = "Only the worker's part of a torch-ddp step whose"
      + " trainer pods finished: check the module against its card; for finetune, write the servable folder and the report.")
  boolean complete;

  @Option(names = WorkerContract.CLAIM_OPTION, description = "Only claim the run's store prefix as every step does"
      + " before writing (run.json when the prefix is new; exit 2 when it is another run's), then exit:"
      + " what a torch-ddp trainer pod runs before its trainer.")
  boolean claim;

  @Option(names = "--shard", description = "Shard index of infer or pack (default $" + WorkerContract.ENV_SHARD_INDEX + ", else 0).")
  Integer shard;

  @Mixin
  CommandEnvironment environment;

  StageCommand(CommandEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws ManifestException, CommandFailure {
    environment.configureThreads();
    Map<String, String> env = environment.env;
    if (claim && complete) {
      throw new InvalidSettingException(WorkerContract.CLAIM_OPTION + " and " + WorkerContract.COMPLETE_OPTION
          + " exclude each other");
    }
    SpecSource.Source source = SpecSource.read(env, specFile);
    SemiSupervisedRunSpec spec = source.spec();
    boolean cluster = spec.getStorage() != null && spec.getStorage().getEndpoint() != null
        && !spec.getStorage().getEndpoint().isBlank();
    List<Problem> problems = SpecValidator.validate(spec, cluster ? SpecValidator.Target.CLUSTER : SpecValidator.Target.LOCAL);
    if (!problems.isEmpty()) {
      throw new ManifestException("spec", problems);
    }
    StagePlan plan = StagePlan.of(spec);
    PlannedStep step;
    int shardIndex;
    try {
      step = plan.require(stepId);
      shardIndex = shard != null ? shard : Integer.parseInt(env.getOrDefault(WorkerContract.ENV_SHARD_INDEX, "0"));
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(e.getMessage(), e);
    }
    // A pod is told its run by the operator; by hand, the manifest's metadata.name places the run
    // where `semisup run` of the same manifest has it, so the two can take turns on one run.
    boolean pod = env.containsKey(WorkerContract.ENV_RUN_NAME);
    String name = pod ? env.get(WorkerContract.ENV_RUN_NAME) : Objects.requireNonNullElse(source.manifestName(), "local");
    String namespace = env.getOrDefault(WorkerContract.ENV_RUN_NAMESPACE, pod ? "default" : RunMarker.LOCAL_NAMESPACE);
    String uid = env.get(WorkerContract.ENV_RUN_UID);
    Optional<String> badName = RunName.problem(name);
    if (badName.isPresent()) {
      throw new InvalidSettingException((pod ? WorkerContract.ENV_RUN_NAME : "metadata.name") + " " + badName.get());
    }
    String prefix = env.getOrDefault(WorkerContract.ENV_STORE_PREFIX, pod
        ? spec.getStorage().resolvedPrefix(namespace, name) : LocalRun.layout(spec, name).prefix());
    try (StoreConnection connection = StoreConnection.open(spec.getStorage(), env, localStore)) {
      if (connection.isLocal()) {
        List<Problem> overlaps = LocalStorePlacement.overlaps(connection.localDirectory(), spec);
        if (!overlaps.isEmpty()) {
          throw new ManifestException("spec", overlaps);
        }
      }
      if (step.equals(plan.steps().get(0)) && !complete && !claim) {
        // The plan's first step checks every data source before any work, as `semisup run` does;
        // a torch-ddp trainer, whose pods only claim here, reads its data itself.
        List<Problem> badData = Preflight.check(spec, connection.dataBlobs());
        if (!badData.isEmpty()) {
          throw new ManifestException("spec", badData);
        }
      }
      ObjectLayout layout = new ObjectLayout(prefix);
      RunMarker marker = new RunMarker(namespace, name, uid == null || uid.isBlank() ? null : uid);
      // Every step checks the marker: a pod never writes into a prefix another run owns.
      RunOwnership.claim(connection.artifactStore(), layout, marker, spec.getStorage().reusesArtifacts());
      if (claim) {
        environment.out.println(step.id() + ": prefix " + prefix + " is run " + marker.describe() + "'s");
        return WorkerContract.EXIT_OK;
      }
      // By hand, one writer per run, as `semisup run`; a run's pods are ordered by the operator.
      try (RunLock lock = pod ? null : RunLock.acquire(connection.artifactStore(), layout, marker.describe())) {
        StageContext context = StageContext.builder(name, spec).plan(plan).step(step, shardIndex)
            .artifacts(layout, connection.artifactStore()).data(connection.dataBlobs()).build();
        if (complete) {
          TrainedElsewhere.completeAfterTrainer(context);
          environment.out.println(step.id() + ": completed");
          return WorkerContract.EXIT_OK;
        }
        StageRunner.Outcome outcome = StageRunner.run(context);
        environment.out.println(step.id() + (step.sharded() ? " shard " + shardIndex : "") + ": "
            + (outcome == StageRunner.Outcome.RAN ? "done" : "already done"));
        return WorkerContract.EXIT_OK;
      }
    } catch (IOException | RuntimeException e) {
      throw CommandFailure.naming(step.id(), e);
    }
  }
}
