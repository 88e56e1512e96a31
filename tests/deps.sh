#!/bin/sh
# Install the Debian packages ataua needs (a no-op when all are present).
#   deps.sh run    what building and running the daemon needs (make run)
#   deps.sh test   that, plus the test peers and tools (make test)
#   deps.sh cross  the cross compilers and qemu-user (tests/cross/run.sh)
#   deps.sh list run|test|cross   print a set
# Not root: print the command instead of running it.
set -eu

# Building and running: compiler, libre, ALSA, libsrtp2, libyaml and
# OpenSSL's pkg-config file (libre's TLS)
RUN_PKGS="pkg-config make gcc libc6-dev libre-dev libasound2-dev libsrtp2-dev
libyaml-dev libssl-dev libminiupnpc-dev"
# Testing: unit tests, sanitizers, fuzzing, valgrind, the caller ID
# decoders (minimodem, multimon-ng), DTMF talk-off (espeak-ng speech,
# spandsp's dtmf_rx beside ours: tests/talkoff) and the real peers
# the integration tests start in network namespaces; the Prometheus
# text-format parser test_metrics.sh also reads the metrics with; the
# Debian package's tools (make deb, test_deb.sh)
TEST_PKGS="libcmocka-dev clang libclang-rt-14-dev valgrind tcpdump
kamailio kamailio-tls-modules coturn miniupnpd-iptables miniupnpc
baresip-core sip-tester iproute2 iptables nftables procps
psmisc python3 gnuplot-nox sipvicious util-linux minimodem
multimon-ng espeak-ng libspandsp-dev python3-prometheus-client
dpkg-dev debhelper fakeroot lintian adduser"
# Cross builds (make cross, tests/cross): the compilers for armhf and
# mipsel and qemu-user to run their unit tests; the target's libraries
# are a sysroot, not installed (tests/cross/sysroot.sh)
CROSS_PKGS="gcc-arm-linux-gnueabihf gcc-mipsel-linux-gnu qemu-user-static"

case "${1:-run}" in
run)  PKGS=$RUN_PKGS ;;
test) PKGS="$RUN_PKGS $TEST_PKGS" ;;
cross) PKGS=$CROSS_PKGS ;;
list) # the set, one a line, installing nothing (tests/integration/test_build.sh)
      case "${2:-}" in
      run)  echo $RUN_PKGS | tr ' ' '\n' ;;
      test) echo $RUN_PKGS $TEST_PKGS | tr ' ' '\n' ;;
      cross) echo $CROSS_PKGS | tr ' ' '\n' ;;
      *)    echo "usage: $0 list run|test|cross" >&2; exit 2 ;;
      esac
      exit 0 ;;
*)    echo "usage: $0 [run|test|cross|list run|test|cross]" >&2; exit 2 ;;
esac

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run: sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Packages that ship daemons must not start them on the host: the tests
# start their own copies inside network namespaces.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 0755 "$policy"
	created_policy=1
fi
log=$(mktemp)
rc=0
# shellcheck disable=SC2086
{ apt-get update -q &&
  apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1 ||
	rc=$?
[ "$rc" = 0 ] || { tail -30 "$log" >&2; echo "deps: apt-get failed" >&2; }
rm -f "$log"
[ -z "$created_policy" ] || rm -f "$policy"
exit "$rc"
