# tiny-run.yaml with a nodeSelector no node matches: the pods stay Pending (reason Unschedulable).
s/^  name: tiny$/  name: unschedulable/
s/^  resources:$/  resources:\n    nodeSelector: {semisup.dev\/no-such-node: "true"}/
