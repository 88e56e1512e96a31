#!/bin/sh
# `make run`: start ataua in the foreground on the default config. Where
# no sound card exists the lines use the virtual SLIC (tests/alsa), so the
# box works on a bare machine; talk to it with ./atactl in a second shell.
set -eu
cd "$(dirname "$0")/.."

echo "ataua: starting with conf/ataua.yaml (Ctrl-C stops it)"
echo "ataua: in another terminal try: ./atactl -s /run/ataua/ataua.sock status"
exec ./ataua -c conf/ataua.yaml
