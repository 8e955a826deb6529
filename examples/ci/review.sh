#!/usr/bin/env bash
# Dry run of a policy change for code review: the steps the CI workflow
# (callctl-review.yml) runs on every pull request that touches a policy.
#
#   review.sh POLICY_DIR OUT_DIR [callctl plan flags...]
#
# Writes OUT_DIR/plan.bin (the saved plan, applied after merge with
# "callctl apply plan.bin"), OUT_DIR/plan.md (the pull-request comment) and
# OUT_DIR/has-changes ("true" or "false"). Exits non-zero when the policy is
# unformatted or invalid or the plan fails, so the check goes red.
set -euo pipefail
policy=$1
out=$2
shift 2
callctl=${CALLCTL:-callctl}
mkdir -p "$out"
out=$(cd "$out" && pwd)

echo "::group::callctl fmt -check"
"$callctl" -chdir="$policy" fmt -check -diff -recursive
echo "::endgroup::"

echo "::group::callctl validate"
"$callctl" -chdir="$policy" validate "$@"
echo "::endgroup::"

echo "::group::callctl plan"
set +e
"$callctl" -chdir="$policy" plan -no-color -detailed-exitcode -out="$out/plan.bin" "$@"
code=$?
set -e
echo "::endgroup::"
case $code in
0) echo false >"$out/has-changes" ;;
2) echo true >"$out/has-changes" ;;
*) exit "$code" ;;
esac
"$callctl" show -format=markdown "$out/plan.bin" >"$out/plan.md"
echo "plan comment written to $out/plan.md (changes: $(cat "$out/has-changes"))"
