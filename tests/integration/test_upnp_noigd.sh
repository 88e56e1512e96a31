#!/bin/bash
# The upnp module where no IGD answers discovery (issue #16, "texts that
# mislead"): the log says that no IGD answered, not that a mapping did
# not come in time; and the shutdown releases nothing, since nothing
# was mapped (no "releasing UDP 5060").
set -u
. "$(dirname "$0")/lib/lab.sh"
. "$(dirname "$0")/lib/ataua.sh"

lab_require_root
[ -x "$ATA_BIN" ] || lab_die "build ataua first"
lab_init upnpnoigd

lab_router r1 44.0.0.60/24 lan1 192.168.1.1/24 cone
lab_host ata 192.168.1.10/24 lan1

conf=$LAB_DIR/ataua.yaml
log=$LAB_DIR/ataua.log
ATA_LISTEN=192.168.1.10:5060 ATA_MODULES="  - name: upnp
    required: false" ata_conf "$conf" "$LAB_DIR/ataua.sock"
cat >>"$conf" <<YAML
traversal:
  order: [upnp]
  upnp:
    timeout: 2s
YAML
ata_start ata "$conf" "$log" || exit 1

lab_wait_for "ata_ctl upnp status | grep -qx 'state=no-igd'" 20 ||
	t_diag "$(ata_ctl upnp status)"
lab_wait_for "grep -q 'upnp: .*UDP 5060' '$log'" 20
t_check "no IGD: the log says that no IGD answered discovery" \
	grep -q "upnp: no IGD answered discovery: UDP 5060 not mapped" "$log"
t_check "no IGD: not that a mapping did not come in time" \
	lab_not grep -q "no mapping for UDP 5060 within" "$log"
# discovery ends (ENODEV) or the step's timeout comes first: both say
# so, in words, not "No such device"
lab_wait_for "grep -q 'nat: upnp: no binding' '$log'" 10
t_check "no IGD: the policy says why, not an errno's name" \
	grep -Eq "nat: upnp: no binding: (no router answered \(UPnP IGD, NAT-PMP, PCP\)|Connection timed out)" "$log"
t_check "no IGD: never \"No such device\"" \
	lab_not grep -q "No such device" "$log"

lab_stop "$ATA_PID" 10
t_check "shutdown: nothing was mapped, nothing is released" \
	lab_not grep -q "releasing UDP" "$log"
