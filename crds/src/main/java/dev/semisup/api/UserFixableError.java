package dev.semisup.api;

/**
 * An error the user fixes (a manifest field, a data file, a flag, a setting), whose message names
 * what to fix: every semisup command exits {@link WorkerContract#EXIT_BAD_INPUT} for it, and the
 * operator shows it as a Failed condition rather than retrying. A marker rather than a base class:
 * the errors that carry it keep the superclass their callers catch (IOException for bad data read
 * from a store, IllegalArgumentException for a setting found where no checked exception may be
 * thrown, a checked Exception for a manifest).
 */
public interface UserFixableError {
}
