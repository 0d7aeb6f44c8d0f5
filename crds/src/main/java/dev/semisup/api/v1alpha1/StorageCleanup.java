package dev.semisup.api.v1alpha1;

/** What happens to a run's artifacts when the run is deleted. */
public enum StorageCleanup {
  /** They stay in the store (default): a model is not lost with a kubectl delete. */
  Keep,
  /** The operator deletes every object under the run's prefix, if the prefix's run marker is the run's. */
  Delete
}
