package dev.semisup.operator.observer;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Collection;
import java.util.Optional;

/**
 * What the operator's informers hold for one run when a reconcile starts: the Jobs that name it as
 * owner, the pods of its Jobs, and the Secret its spec names. Any of it may lag behind the API
 * server (a watch event not delivered yet), so where an absence would decide something (a Job
 * gone, no pod at all, no Secret) the observer asks the API server before it believes it.
 */
public record CachedObjects(Collection<Job> jobs, Collection<Pod> pods, Optional<Secret> credentials) {
}
