# Sourced from the repository root by the DJL-against-PyTorch benchmarks (throughput.sh,
# training-step.sh, training-kernels.sh), with $threads set: builds the bench module, sets
# $classpath and the environment both sides run under (the same OpenMP thread count), and defines
# djl_java (a bench main class in the JVM every DJL side runs in) and machine_line.
mvn -o -q -B -pl bench -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >/dev/null
export OPT_OUT_TRACKING=true DJL_OFFLINE=true OMP_NUM_THREADS="$threads"
classpath="bench/target/classes:worker/target/classes:crds/target/classes:$(cat bench/target/classpath.txt)"

# libtorch gets the peer's thread count for its intra-op pool, and one inter-op thread.
djl_java() {
  java -Xmx2g -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 -cp "$classpath" "$@"
}

machine_line() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC"
}
