# tiny-run.yaml with an unlabeled pool that does not exist: the first step's preflight (the
# teacher's pod) exits 2 (bad input).
# excludeLabeled goes too: it needs the pool to be the labeled file, and with it kept the spec
# would be refused (InvalidSpec) before any Job starts.
s/^  name: tiny$/  name: bad-input/
/^    unlabeled:$/,/excludeLabeled:/ {
  s#train-images-idx3-ubyte.gz#no-such-pool.gz#
  /excludeLabeled: true/d
}
