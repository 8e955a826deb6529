#!/usr/bin/env bash
# Quickstart: builds callctl and exchsim, starts a simulated Exchange on a
# free loopback port as a hardened site runs it (https with a certificate
# from its own CA, NTLM, Extended Protection required), runs plan and apply
# of examples/quickstart against it with ca_file set to that CA, plans again
# to show nothing is left, and stops the simulator. Leaves nothing running
# and nothing behind. QUICKSTART_HTTP=1 runs it over plain http instead.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
sim=""
cleanup() {
	if [ -n "$sim" ]; then
		kill "$sim" 2>/dev/null || true
		wait "$sim" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "==> Building callctl and exchsim"
go build -o "$work/" ./cmd/callctl ./cmd/exchsim
# Work on a copy, so the apply's journal and lock stay out of the repository.
cp -R examples/quickstart "$work/quickstart"

tls=(-tls -tls-ca-out "$work/ca.pem" -epa require)
what="https, NTLM with Extended Protection required, CORP\\alice"
if [ "${QUICKSTART_HTTP:-}" = 1 ]; then
	tls=()
	what="plain http, NTLM, CORP\\alice"
fi
echo "==> Starting the simulator ($what)"
"$work/exchsim" -listen 127.0.0.1:0 -calls examples/quickstart/calls.json "${tls[@]}" \
	-auth ntlm -user 'CORP\alice' -password secret -latency 5ms >"$work/sim.out" 2>"$work/sim.err" &
sim=$!
for _ in $(seq 200); do
	line=$(head -n 1 "$work/sim.out" 2>/dev/null || true)
	case "$line" in listening\ on\ *) break ;; esac
	if ! kill -0 "$sim" 2>/dev/null; then
		cat "$work/sim.err" >&2
		exit 1
	fi
	sleep 0.05
done
case "$line" in
listening\ on\ *) ;;
*) echo "exchsim did not start" >&2; exit 1 ;;
esac
export EXCHSIM_URL=${line#listening on }
export CALLCTL_PASSWORD=secret
export EXCHSIM_CA=""
curlca=()
if [ ${#tls[@]} -gt 0 ]; then
	export EXCHSIM_CA="$work/ca.pem"
	curlca=(--cacert "$work/ca.pem")
fi
echo "    $line"
if [ -n "$EXCHSIM_CA" ]; then
	echo "    ca_file = $EXCHSIM_CA (the simulator's CA certificate)"
fi

echo
echo "==> callctl plan"
"$work/callctl" -chdir="$work/quickstart" plan

echo
echo "==> callctl apply -auto-approve"
"$work/callctl" -chdir="$work/quickstart" apply -auto-approve

echo
echo "==> callctl plan (again: nothing left to do)"
"$work/callctl" -chdir="$work/quickstart" plan

echo
echo "==> callctl show -journal (the record of every disconnect sent)"
"$work/callctl" -chdir="$work/quickstart" show -journal

echo
echo "==> Simulator's calls and counters afterwards"
if command -v curl >/dev/null 2>&1; then
	curl -fsS "${curlca[@]}" "$EXCHSIM_URL/_exchsim/calls"
	echo
	curl -fsS "${curlca[@]}" "$EXCHSIM_URL/_exchsim/stats"
	echo
fi
