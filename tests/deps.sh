#!/bin/sh
# Install the Debian packages ataua builds and tests with (a no-op when all
# are present). Not root: print the command instead of running it.
set -eu

PKGS="pkg-config make gcc tcpdump libre-dev librem-dev libasound2-dev libsrtp2-dev
libyaml-dev libcmocka-dev libssl-dev clang libclang-rt-14-dev valgrind
kamailio kamailio-tls-modules coturn miniupnpd-iptables miniupnpc libminiupnpc-dev
baresip-core sip-tester iproute2
iptables nftables procps psmisc python3 gnuplot-nox sipvicious"

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
