# Sourced from the repository root by the DJL-against-PyTorch benchmarks (throughput.sh,
# training-step.sh, training-kernels.sh), with $threads set: builds the bench module and sets
# $classpath and the environment both sides run under (the same OpenMP thread count).
mvn -o -q -B -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
export OPT_OUT_TRACKING=true DJL_OFFLINE=true OMP_NUM_THREADS="$threads"
classpath="bench/target/classes:worker/target/classes:crds/target/classes:$(cat bench/target/classpath.txt)"
