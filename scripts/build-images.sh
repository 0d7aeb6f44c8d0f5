#!/usr/bin/env bash
# Builds the worker, operator and trainer images from this checkout.
#
#   scripts/build-images.sh [--check] [--skip-maven]
#
#   --check        then start the images (scripts/check-images.sh)
#   --skip-maven   reuse the jars already in worker/target and operator/target
#
# With podman (no registry needed): a Debian bookworm base (debootstrap --variant=minbase, plus
# openjdk-17-jre-headless and libturbojpeg0) is made once and cached as a tarball under
# IMAGE_BASE_CACHE, Maven builds the jars here, and `podman build --pull=never` copies them in
# (WORKER_FILES=prebuilt / OPERATOR_FILES=prebuilt): no Maven and no download inside the build.
# The trainer's CPU variant gets a second base (Debian's python3-torch, python3-pil, python3-boto3)
# made the same way (TORCH_FROM=local: nothing installed inside the build).
# With CONTAINER_ENGINE=docker: `docker build` with the Dockerfiles' defaults (registry bases,
# Maven inside the build; the trainer from debian:bookworm-slim with TORCH_FROM=debian).
#
# Environment (defaults in brackets):
#   WORKER_IMAGE      [localhost/semisup-worker:dev]
#   OPERATOR_IMAGE    [localhost/semisup-operator:dev]
#   TRAINER_IMAGE     [localhost/semisup-trainer:dev]       the trainer's CPU variant
#   BASE_IMAGE        [localhost/semisup-base:bookworm]     the local base (podman only)
#   TRAINER_BASE_IMAGE [localhost/semisup-trainer-base:bookworm] the trainer's local base
#   IMAGE_BASE_CACHE  [.tools/image-base]                   the cached base tarballs
#   DEBIAN_MIRROR     [http://deb.debian.org/debian]        where debootstrap downloads from
#   CONTAINER_ENGINE  [podman if installed, else docker]
#   PODMAN_FLAGS      [--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096]
#   MAVEN_ARGS        extra Maven flags, e.g. -o to build offline
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
script_started=$(date +%s)

worker_image="${WORKER_IMAGE:-localhost/semisup-worker:dev}"
operator_image="${OPERATOR_IMAGE:-localhost/semisup-operator:dev}"
trainer_image="${TRAINER_IMAGE:-localhost/semisup-trainer:dev}"
base_image="${BASE_IMAGE:-localhost/semisup-base:bookworm}"
trainer_base_image="${TRAINER_BASE_IMAGE:-localhost/semisup-trainer-base:bookworm}"
base_cache="${IMAGE_BASE_CACHE:-$repo/.tools/image-base}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# runc, not crun (crun refuses hybrid cgroups); limits no higher than a sandbox lets a process set.
podman_flags="${PODMAN_FLAGS:---runtime runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096}"
context="$repo/target/image-context"
base_packages=openjdk-17-jre-headless,libturbojpeg0
# The reference trainer's imports: torch (CPU, gloo) with numpy, Pillow, boto3 for an S3 store.
trainer_base_packages=python3-torch,python3-pil,python3-boto3

step() { echo "build-images: $*" >&2; }
die() { echo "build-images: $*" >&2; exit 2; }

check=false
skip_maven=false
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    --skip-maven) skip_maven=true ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

engine="${CONTAINER_ENGINE:-}"
if [[ -z $engine ]]; then
  if command -v podman >/dev/null; then engine=podman
  elif command -v docker >/dev/null; then engine=docker
  else die "neither podman nor docker is installed (CONTAINER_ENGINE names one)"; fi
fi
case "$engine" in podman|docker) ;; *) die "CONTAINER_ENGINE='$engine': podman or docker" ;; esac
command -v "$engine" >/dev/null || die "CONTAINER_ENGINE=$engine, but $engine is not installed"

seconds_since() { echo $(( $(date +%s) - $1 )); }
summary=()
record() { # image, build start
  local size
  size="$("$engine" image inspect --format '{{.Size}}' "$1")"
  summary+=("$(printf '%-36s %5d MB  built in %3d s' "$1" $((size / 1000000)) "$(seconds_since "$2")")")
}

if [[ $engine == docker ]]; then
  # The registry path: the Dockerfiles' defaults, Maven inside the build.
  for pair in "worker:$worker_image" "operator:$operator_image"; do
    started=$(date +%s)
    step "docker build -f Dockerfile.${pair%%:*} -t ${pair#*:} ."
    docker build -f "Dockerfile.${pair%%:*}" -t "${pair#*:}" .
    record "${pair#*:}" "$started"
  done
  # The trainer's CPU variant: Debian's PyTorch, installed by apt inside the build.
  started=$(date +%s)
  step "docker build -f Dockerfile.trainer (TORCH_FROM=debian) -t $trainer_image ."
  docker build -f Dockerfile.trainer --build-arg BASE_IMAGE=debian:bookworm-slim --build-arg TORCH_FROM=debian \
    -t "$trainer_image" .
  record "$trainer_image" "$started"
else
  # shellcheck disable=SC2206 # PODMAN_FLAGS holds several flags: split on purpose.
  podman_args=($podman_flags)

  # A base: one tarball per package list, so changing a list makes a new one.
  make_base() { # image, packages
    local image="$1" packages="$2" key tarball rootfs started
    key="bookworm-minbase-$(echo "$packages" | sha256sum | cut -c1-12)"
    tarball="$base_cache/$key.tar"
    started=$(date +%s)
    if [[ ! -s $tarball ]]; then
      command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
      step "making the base $image: debootstrap bookworm ($packages) from $mirror"
      rootfs="$base_cache/rootfs-$key"
      rm -rf "$rootfs" "$tarball.part"
      mkdir -p "$base_cache"
      debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" \
        > "$base_cache/debootstrap-$key.log" 2>&1 \
        || { tail -20 "$base_cache/debootstrap-$key.log" >&2
             die "debootstrap failed (log: $base_cache/debootstrap-$key.log)"; }
      # Downloaded packages, package lists, documentation (but its copyright files) and logs are
      # not needed at run time: about 200 MB less.
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*
      find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
      tar --numeric-owner -C "$rootfs" -cf "$tarball.part" .
      mv "$tarball.part" "$tarball"
      rm -rf "$rootfs"
    fi
    if [[ "$(podman image inspect --format '{{index .Labels "dev.semisup.base"}}' "$image" 2>/dev/null)" != "$key" ]]; then
      step "importing $tarball as $image"
      podman import --change "LABEL dev.semisup.base=$key" --change 'CMD ["/bin/bash"]' "$tarball" "$image" \
        >/dev/null 2>"$base_cache/import.log" \
        || { cat "$base_cache/import.log" >&2; die "podman import of $tarball failed"; }
    fi
    step "base $image ready ($(seconds_since "$started") s)"
  }
  make_base "$base_image" "$base_packages"
  make_base "$trainer_base_image" "$trainer_base_packages"

  if ! $skip_maven; then
    step "building the jars (mvn -pl worker,operator -am package -DskipTests)"
    started=$(date +%s)
    # shellcheck disable=SC2086 # MAVEN_ARGS holds several flags: split on purpose.
    mvn -B -ntp -q ${MAVEN_ARGS:-} -pl worker,operator -am package dependency:copy-dependencies \
      -DskipTests -DincludeScope=runtime
    step "jars built ($(seconds_since "$started") s)"
  fi

  step "laying out the build context in $context"
  rm -rf "$context"
  mkdir -p "$context/docker" "$context/prebuilt/operator/lib" "$context/trainer"
  cp docker/semisup docker/torchrun-one-process "$context/docker/"
  cp -r trainer/semisup_trainer "$context/trainer/"
  find "$context/trainer" -name __pycache__ -prune -exec rm -rf {} +
  docker/assemble-worker.sh "$context/prebuilt/worker" cpu worker/target >/dev/null
  operator_jar="$(find operator/target -maxdepth 1 -name 'semisup-operator-*.jar' \
    ! -name '*-tests.jar' ! -name '*-sources.jar')"
  [[ -n $operator_jar ]] || die "no operator jar in operator/target (build without --skip-maven)"
  cp operator/target/dependency/*.jar "$operator_jar" "$context/prebuilt/operator/lib/"

  build() { # dockerfile, image, build args...
    local dockerfile="$1" image="$2"
    shift 2
    step "podman build -f $dockerfile -t $image"
    # No network: nothing is downloaded inside the build (and no container network is set up).
    podman build --pull=never --network none "${podman_args[@]}" -f "$repo/$dockerfile" -t "$image" "$@" "$context"
  }
  started=$(date +%s)
  # podman resolves `FROM stage-${ARG}` from --build-arg values only, not from the ARG's default.
  build Dockerfile.worker "$worker_image" --build-arg JRE_IMAGE="$base_image" --build-arg WORKER_FILES=prebuilt \
    --build-arg LIBTORCH_VARIANT=cpu
  record "$worker_image" "$started"
  started=$(date +%s)
  build Dockerfile.operator "$operator_image" --build-arg JRE_IMAGE="$base_image" --build-arg OPERATOR_FILES=prebuilt
  record "$operator_image" "$started"
  started=$(date +%s)
  build Dockerfile.trainer "$trainer_image" --build-arg BASE_IMAGE="$trainer_base_image" --build-arg TORCH_FROM=local
  record "$trainer_image" "$started"
fi

printf '%s\n' "${summary[@]}"
step "built in $(( $(date +%s) - script_started )) s"
if $check; then
  WORKER_IMAGE="$worker_image" OPERATOR_IMAGE="$operator_image" TRAINER_IMAGE="$trainer_image" CONTAINER_ENGINE="$engine" \
    PODMAN_FLAGS="$podman_flags" "$repo/scripts/check-images.sh"
fi
