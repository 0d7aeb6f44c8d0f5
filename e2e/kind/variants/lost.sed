# tiny-run.yaml under another name: its teacher Job is deleted before its outcome is read.
s/^  name: tiny$/  name: lost/
