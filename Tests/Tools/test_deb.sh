#!/bin/bash
# Proves the Debian package works as installed, without booting systemd (run by `make deb-test`,
# as root, on a Debian machine where lanyard is not installed):
#   1. the package: control fields, conffile, paths and modes, a self-contained stripped
#      executable, the unit's systemd-analyze security rating;
#   2. a clean root (dpkg -x): the executable finds its templates and profiles relative to itself;
#   3. dpkg -i on this machine: maintainer scripts succeed with no systemd or udev running, the
#      user, group and directories exist, the installed commands work from / with no LANYARD_HOME,
#      and again inside the unit's own sandbox (Tests/Tools/unit_sandbox.py: the lanyard user,
#      seccomp filters, MemoryDenyWriteExecute, read-only /, with the source tree and the Swift
#      toolchain hidden);
#   4. the agent under the unit's sandbox with a stand-in notify socket (once `lanyard agent`
#      exists);
#   5. dpkg -r keeps the configuration and state, dpkg -P removes them and the unit's state.
# It leaves the machine as it found it: the package purged, and the lanyard user and group
# deleted when they did not exist before.
set -euo pipefail

deb=${1:?usage: test_deb.sh out/lanyard_VERSION_ARCH.deb}
deb=$(readlink -f "$deb")
tools=$(cd "$(dirname "$0")" && pwd)
source_tree=$(cd "$tools/../.." && pwd)
sandbox_python=/usr/bin/python3   # python3-seccomp is a Debian package: the system interpreter
work=$(mktemp -d)
passed=0

pass() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() { echo "FAIL - $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; pass "$3"; }

[ "$(id -u)" = 0 ] || fail "test_deb.sh installs a package: run it as root"
[ -f "$deb" ] || fail "no package at $deb (make deb)"
if dpkg-query -W -f='${Status}' lanyard 2>/dev/null | grep -q 'ok installed'; then
    fail "lanyard is already installed here; remove it before running this test"
fi
if ! "$sandbox_python" -c 'import seccomp' 2>/dev/null; then
    echo "Installing python3-seccomp for the unit sandbox"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-seccomp >/dev/null
fi
getent passwd lanyard >/dev/null && had_user=1 || had_user=0
getent group lanyard >/dev/null && had_group=1 || had_group=0

cleanup() {
    local status=$?
    set +e
    [ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null
    [ -n "${notify_pid:-}" ] && kill "$notify_pid" 2>/dev/null
    if dpkg-query -W -f='${Status}' lanyard 2>/dev/null | grep -qv 'not-installed'; then
        dpkg -P lanyard >/dev/null 2>&1
    fi
    [ "$had_user" = 0 ] && getent passwd lanyard >/dev/null && userdel lanyard
    [ "$had_group" = 0 ] && getent group lanyard >/dev/null && groupdel lanyard
    rm -rf "$work"
    [ "$status" = 0 ] && echo "all $passed checks passed" || echo "test_deb.sh failed after $passed checks" >&2
}
trap cleanup EXIT

field() { dpkg-deb -f "$deb" "$1"; }
profile_ids() { for f in "$1"/*.yaml; do basename "$f" .yaml; done | sort; }
listed_ids() { sed -n '2,$p' | awk '{print $1}' | sort; }

# ---- 1. The package ----------------------------------------------------------------------------
expect_eq "$(field Package)" lanyard "Package"
expect_eq "$(field Architecture)" "$(dpkg --print-architecture)" "Architecture is this machine's"
expect_eq "$(basename "$deb")" "lanyard_$(field Version)_$(field Architecture).deb" "file name is lanyard_<version>_<arch>.deb"
depends=$(field Depends)
for library in libc6 libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libqrencode4 'libzint2\.[0-9]+' libzxing2 libusb-1.0-0 libsqlite3-0 libdeflate0 zlib1g; do
    grep -Eq "(^|, )$library( |,|$)" <<<"$depends" || fail "Depends lacks $library: $depends"
done
pass "Depends names every shared C library the renderer, the camera's reader and the transports use"
grep -qi swift <<<"$depends" && fail "Depends names a Swift package: $depends"
pass "Depends names no Swift runtime package (it is linked statically)"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles"
expect_eq "$(cat "$work/conffiles")" "$(printf '%s\n' /etc/lanyard/agent.yaml /etc/chromium/policies/managed/lanyard-kiosk.json)" \
    "the conffiles are /etc/lanyard/agent.yaml and the kiosk's Chromium policy"

dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' | sed 's|^\(\S*\) \(\S*\) \./|\1 \2 /|' >"$work/contents"
for entry in \
    "-rwxr-xr-x root/root /usr/bin/lanyard" \
    "-rw-r--r-- root/root /lib/systemd/system/lanyard-agent.service" \
    "-rw-r--r-- root/root /lib/udev/rules.d/60-lanyard-printers.rules" \
    "-rw-r--r-- root/root /usr/lib/sysusers.d/lanyard.conf" \
    "-rw-r--r-- root/root /usr/lib/tmpfiles.d/lanyard.conf" \
    "-rw-r--r-- root/root /etc/lanyard/agent.yaml" \
    "-rw-r--r-- root/root /usr/share/doc/lanyard/copyright" \
    "-rw-r--r-- root/root /usr/share/lanyard/Templates/standard/template.yaml" \
    "-rw-r--r-- root/root /usr/share/lanyard/Templates/sample-event.yaml" \
    "-rw-r--r-- root/root /usr/share/lanyard/prometheus/lanyard-alerts.rules.yml"; do
    grep -qxF -e "$entry" "$work/contents" || fail "package lacks '$entry'"
done
pass "binary, unit, udev rule, sysusers, tmpfiles, config, copyright, templates and alerting rules at their paths and modes"
grep -v ' root/root ' "$work/contents" && fail "files not owned by root"
pass "every file is owned by root"

root="$work/root"
dpkg-deb -x "$deb" "$root"
for dir in Templates firmware-profiles web; do
    if git -C "$source_tree" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        expected=$(git -C "$source_tree" ls-files "$dir" | sort)
        actual=$(cd "$root/usr/share/lanyard" && find "$dir" -type f | sort)
        [ "$expected" = "$actual" ] || fail "/usr/share/lanyard/$dir differs from the tracked $dir"
        pass "/usr/share/lanyard/$dir holds exactly the tracked $dir ($(wc -l <<<"$actual") files)"
    fi
done
grep -q 'Apache License 2.0' "$root/usr/share/doc/lanyard/copyright" || fail "copyright does not name Apache-2.0"
grep -q 'SIL Open Font License 1.1' "$root/usr/share/doc/lanyard/copyright" || fail "copyright does not name the fonts' OFL"
pass "copyright names Lanyard's license and the bundled fonts' license"
cmp -s "$root/usr/share/lanyard/prometheus/lanyard-alerts.rules.yml" "$source_tree/packaging/prometheus/lanyard-alerts.rules.yml" ||
    fail "the packaged alerting rules differ from packaging/prometheus/lanyard-alerts.rules.yml"
if command -v promtool >/dev/null; then
    promtool check rules "$root/usr/share/lanyard/prometheus/lanyard-alerts.rules.yml" >"$work/promtool.log" 2>&1 ||
        { cat "$work/promtool.log"; fail "promtool check rules rejects the packaged alerting rules"; }
    pass "the packaged alerting rules are the source tree's, and promtool check rules accepts them"
else
    pass "the packaged alerting rules are the source tree's (no promtool here to check them)"
fi

binary="$root/usr/bin/lanyard"
readelf -S "$binary" | grep -q '\.symtab' && fail "/usr/bin/lanyard is not stripped"
pass "/usr/bin/lanyard is stripped"
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
grep -Ei 'swift|Foundation|dispatch|BlocksRuntime' <<<"$needed" && fail "/usr/bin/lanyard needs Swift runtime libraries"
pass "/usr/bin/lanyard needs no Swift runtime library ($(wc -l <<<"$needed") system libraries)"
ldd "$binary" | grep -q 'not found' && fail "unresolved libraries: $(ldd "$binary" | grep 'not found')"
pass "every library /usr/bin/lanyard needs resolves on this machine"

unit="$root/lib/systemd/system/lanyard-agent.service"
exposure=$(systemd-analyze security --offline=true "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security gave no rating"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure is above 2.0"
pass "systemd-analyze security rates the unit $exposure (2.0 or lower is OK)"
kiosk_unit="$root/lib/systemd/system/lanyard-kiosk.service"
exec_start=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$kiosk_unit" | tr -d '\\\n')
grep -q '^ExecStart=/usr/bin/cage -d -- /usr/bin/chromium .*--kiosk .*http://127.0.0.1:8080/' <<<"$exec_start" \
    || fail "lanyard-kiosk.service does not run Chromium in --kiosk under cage on the agent's page"
python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); sys.exit(p.get("PrintingEnabled") is not False or p.get("DeveloperToolsAvailability") != 2)' \
    "$root/etc/chromium/policies/managed/lanyard-kiosk.json" || fail "the kiosk's Chromium policy does not turn printing and developer tools off"
pass "lanyard-kiosk.service runs the agent's page in Chromium --kiosk under cage, printing and developer tools off by policy"

# ---- 2. A clean root: resources are found relative to the executable --------------------------
listed=$(cd / && env -i PATH=/usr/bin:/bin "$binary" profiles list | listed_ids)
expect_eq "$listed" "$(profile_ids "$root/usr/share/lanyard/firmware-profiles")" \
    "the extracted lanyard lists the profiles of its own prefix, not the source tree's"

# ---- 3. dpkg -i on this machine --------------------------------------------------------------
[ -d /run/systemd/system ] && echo "note: systemd is running here; the package will also start the agent"
dpkg -i "$deb" >"$work/dpkg-install.log" 2>&1 || { cat "$work/dpkg-install.log"; fail "dpkg -i failed"; }
expect_eq "$(dpkg-query -W -f='${Status}' lanyard)" "install ok installed" "dpkg -i installs and configures the package"
expect_eq "$(dpkg --verify lanyard)" "" "dpkg --verify finds every installed file intact"
expect_eq "$(dpkg-query -W -f='${Conffiles}' lanyard | awk 'NF {print $1}')" \
    "$(printf '%s\n' /etc/lanyard/agent.yaml /etc/chromium/policies/managed/lanyard-kiosk.json)" \
    "dpkg tracks agent.yaml and the kiosk's Chromium policy as conffiles"
expect_eq "$(getent passwd lanyard | cut -d: -f6,7)" /var/lib/lanyard:/usr/sbin/nologin "postinst creates the lanyard system user"
expect_eq "$(id -gn lanyard)" lanyard "the lanyard user's group is lanyard (the udev rule's group)"
[ "$(id -u lanyard)" -lt 1000 ] || fail "lanyard is not a system user (uid $(id -u lanyard))"
pass "lanyard has a system uid ($(id -u lanyard))"
expect_eq "$(stat -c '%a %U %G' /var/lib/lanyard)" "750 lanyard lanyard" "postinst creates /var/lib/lanyard 0750 lanyard:lanyard"
expect_eq "$(stat -c '%a %U %G' /etc/lanyard)" "755 root root" "/etc/lanyard is root's"
if command -v deb-systemd-helper >/dev/null; then
    [ -L /etc/systemd/system/multi-user.target.wants/lanyard-agent.service ] || fail "postinst did not enable lanyard-agent.service"
    pass "postinst enables lanyard-agent.service (without starting it: systemd is not running)"
fi
if systemd-analyze verify /lib/systemd/system/lanyard-agent.service >"$work/verify.log" 2>&1; then
    pass "systemd-analyze verify accepts the installed unit"
else
    cat "$work/verify.log"
    fail "systemd-analyze verify rejects the installed unit"
fi

listed=$(cd / && env -i PATH=/usr/bin:/bin lanyard profiles list | listed_ids)
expect_eq "$listed" "$(profile_ids /usr/share/lanyard/firmware-profiles)" \
    "'lanyard profiles list' from /, LANYARD_HOME unset, lists /usr/share/lanyard's profiles"
check=$(cd / && env -i PATH=/usr/bin:/bin lanyard templates check /usr/share/lanyard/Templates/standard) ||
    fail "lanyard templates check failed: $check"
grep -q ' 0 error(s)' <<<"$check" || fail "templates check reports errors: $check"
pass "'lanyard templates check /usr/share/lanyard/Templates/standard' passes: $check"

# Inside the unit's sandbox, as the service would run, with neither the source tree nor the Swift
# toolchain in reach.
hidden=(--hide "$source_tree")
swift=$(command -v swift || true)
[ -n "$swift" ] && hidden+=(--hide "$(dirname "$(dirname "$(readlink -f "$swift")")")")
in_unit() {
    "$sandbox_python" "$tools/unit_sandbox.py" "${hidden[@]}" "$@"
}
service=/lib/systemd/system/lanyard-agent.service
listed=$(in_unit "$service" -- lanyard profiles list | listed_ids)
expect_eq "$listed" "$(profile_ids /usr/share/lanyard/firmware-profiles)" "in the unit's sandbox: lanyard profiles list"
for template in /usr/share/lanyard/Templates/*/; do
    check=$(in_unit "$service" -- lanyard templates check "$template") || fail "in the unit's sandbox: templates check $template: $check"
    grep -q ' 0 error(s)' <<<"$check" || fail "in the unit's sandbox: $check"
done
pass "in the unit's sandbox: templates check passes for every installed template"
in_unit "$service" -- lanyard render --template /usr/share/lanyard/Templates/standard \
    --attendee /usr/share/lanyard/Templates/sample-attendees.jsonl --record 1 \
    --profile zebra-zd621d-300 --format zpl --out /var/lib/lanyard/deb-test.zpl >/dev/null
grep -q '\^XA' /var/lib/lanyard/deb-test.zpl && grep -q '\^GF' /var/lib/lanyard/deb-test.zpl ||
    fail "the badge rendered in the sandbox is not a ZPL graphic label"
pass "in the unit's sandbox: a badge renders (cairo, Pango, fonts) to ZPL in the state directory"
expect_eq "$(stat -c '%a %U' /var/lib/lanyard/deb-test.zpl)" "600 lanyard" "in the unit's sandbox: files are created 0600 by lanyard (UMask=0077)"
rm -f /var/lib/lanyard/deb-test.zpl
if in_unit "$service" -- lanyard render --template /usr/share/lanyard/Templates/standard \
    --attendee /usr/share/lanyard/Templates/sample-attendees.jsonl --record 1 \
    --profile zebra-zd621d-300 --format zpl --out /usr/share/lanyard/deb-test.zpl >/dev/null 2>&1; then
    fail "the sandbox let the service write to /usr/share/lanyard"
fi
[ -e /usr/share/lanyard/deb-test.zpl ] && fail "a file appeared in /usr/share/lanyard"
pass "in the unit's sandbox: writing outside the state directory fails"

# ---- 4. The agent, under the unit's sandbox -----------------------------------------------------
# Runs once `lanyard agent` exists; skipped only when `lanyard agent --help` fails, that is exits
# non-zero or (ArgumentParser's answer to an unknown subcommand) prints the top-level help instead
# of a "USAGE: lanyard agent" line. It proves the
# sd_notify protocol end to end (Sources/lanyard/Support/SystemdNotify.swift): READY=1 from the
# main process once /v1/health answers, WATCHDOG=1 pings at WATCHDOG_USEC/2, STOPPING=1 and a
# clean exit on SIGTERM; and that the agent starts both with the shipped config and without one.
wait_for() { # wait_for TRIES COMMAND...: polls every 0.25 s
    local tries=$1; shift
    for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.25; done
    return 1
}
notified() { grep -q "$1" "$work/notify.jsonl" 2>/dev/null; }
healthy() { curl -fsS "http://127.0.0.1:$1/v1/health" >"$work/health.json" 2>/dev/null; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

check_agent() {
    local help
    if ! help=$(lanyard agent --help 2>&1) || ! grep -q '^USAGE: lanyard agent' <<<"$help"; then
        echo "skip - lanyard agent: 'lanyard agent --help' fails (the agent is not built yet)"
        return
    fi
    local config port socket
    for config in /etc/lanyard/agent.yaml none; do
        port=$(free_port)
        socket="@lanyard-deb-test-$$-$port"
        : >"$work/notify.jsonl"
        python3 "$tools/notify_socket.py" "$socket" >"$work/notify.jsonl" 2>"$work/notify.err" &
        notify_pid=$!
        wait_for 40 grep -q listening "$work/notify.err" || fail "notify_socket.py did not start"
        local args=(agent --listen "127.0.0.1:$port")
        [ "$config" != none ] && args+=(--config "$config")
        # Started directly, not through in_unit, so that $! is the sandbox's pid, which exec makes
        # the agent's.
        "$sandbox_python" "$tools/unit_sandbox.py" "${hidden[@]}" --setenv "NOTIFY_SOCKET=$socket" --watchdog-usec 2000000 \
            "$service" -- /usr/bin/lanyard "${args[@]}" >"$work/agent.log" 2>&1 &
        agent_pid=$!
        wait_for 240 notified '"READY=1"' || { cat "$work/agent.log"; fail "agent ($config): no READY=1"; }
        grep '"READY=1"' "$work/notify.jsonl" | grep -q "\"pid\": $agent_pid," ||
            fail "agent ($config): READY=1 did not come from the main process $agent_pid"
        pass "agent ($config): READY=1 from the main process"
        healthy "$port" || { cat "$work/agent.log"; fail "agent ($config): /v1/health does not answer after READY=1"; }
        pass "agent ($config): GET /v1/health answers once ready: $(head -c 200 "$work/health.json")"
        wait_for 40 notified '"WATCHDOG=1"' || fail "agent ($config): no WATCHDOG=1 ping"
        pass "agent ($config): pings the watchdog"
        # A badge through the queue: rendered in the render child (lanyard render-child, spawned
        # by the agent) inside the same sandbox, printed on the simulator.
        local job state
        job=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/badges" -H 'Content-Type: application/json' \
            -d '{"attendee": {"source": "crm", "source_id": "deb-'"$port"'", "event_slug": "devcon-2026", "first_name": "Ada",
                 "last_name": "Lovelace", "email": "ada@example.org", "ticket_type": "VIP"}}' |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])') || fail "agent ($config): POST /v1/badges refused"
        printed() { state=$(curl -fsS "http://127.0.0.1:$port/v1/jobs/$job" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])'); [ "$state" = printed ]; }
        wait_for 120 printed || { cat "$work/agent.log"; fail "agent ($config): badge $job ended $state, not printed"; }
        curl -fsS "http://127.0.0.1:$port/metrics" | grep -q '^lanyard_render_child_starts_total 1' ||
            fail "agent ($config): the badge was not rendered in a render child"
        pass "agent ($config): a badge renders in the render child within the sandbox and prints"
        kill -TERM "$agent_pid"
        local status=0
        wait "$agent_pid" || status=$?
        agent_pid=
        expect_eq "$status" 0 "agent ($config): exits 0 on SIGTERM"
        notified '"STOPPING=1"' || fail "agent ($config): no STOPPING=1 on SIGTERM"
        pass "agent ($config): STOPPING=1 on SIGTERM"
        kill "$notify_pid" && wait "$notify_pid" || true
        notify_pid=
    done
}
check_agent

# ---- 5. dpkg -r and dpkg -P -------------------------------------------------------------------
dpkg -r lanyard >"$work/dpkg-remove.log" 2>&1 || { cat "$work/dpkg-remove.log"; fail "dpkg -r failed"; }
expect_eq "$(dpkg-query -W -f='${Status}' lanyard)" "deinstall ok config-files" "dpkg -r removes the package"
[ ! -e /usr/bin/lanyard ] && [ ! -e /usr/share/lanyard ] && [ ! -e /lib/systemd/system/lanyard-agent.service ] ||
    fail "dpkg -r left files behind"
pass "dpkg -r removes the executable, resources and unit"
[ -f /etc/lanyard/agent.yaml ] && [ -d /var/lib/lanyard ] || fail "dpkg -r removed the configuration or the state"
pass "dpkg -r keeps /etc/lanyard/agent.yaml and /var/lib/lanyard"
dpkg -P lanyard >"$work/dpkg-purge.log" 2>&1 || { cat "$work/dpkg-purge.log"; fail "dpkg -P failed"; }
[ ! -e /etc/lanyard ] && [ ! -e /var/lib/lanyard ] || fail "dpkg -P left /etc/lanyard or /var/lib/lanyard"
pass "dpkg -P removes the configuration and the state"
for leftover in /etc/systemd/system/lanyard-agent.service /etc/systemd/system/multi-user.target.wants/lanyard-agent.service \
    /var/lib/systemd/deb-systemd-helper-enabled/lanyard-agent.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-masked/lanyard-agent.service; do
    [ ! -e "$leftover" ] && [ ! -L "$leftover" ] || fail "dpkg -P left $leftover"
done
pass "dpkg -P leaves no enablement or mask links for the unit"
