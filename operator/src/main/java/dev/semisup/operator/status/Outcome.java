package dev.semisup.operator.status;

import dev.semisup.api.v1alpha1.RunPhase;
import java.time.Duration;

/**
 * Where one reconcile left a run: its phase, the step it is at, why, and when to look again
 * (null: on the next change of the run or its Jobs only). The conditions follow from it, in
 * {@link StatusProjection}.
 */
public record Outcome(RunPhase phase, String step, Reason reason, String message, Duration requeue) {
}
