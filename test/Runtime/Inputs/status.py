#!/usr/bin/env python3
# Runs the command given as arguments, then prints its exit status as
# 'exit status N' on stdout, so that a lit test can check the exact status.
import subprocess
import sys

sys.stdout.flush()
status = subprocess.call(sys.argv[1:])
print("exit status %d" % status)
