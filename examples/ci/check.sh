#!/usr/bin/env bash
# Offline checks of a policy, for every pull request, forks included: they
# need no secret and no network (the check job of callctl-review.yml).
#
#   check.sh POLICY_DIR
#
# callctl fmt -check, callctl validate (unset variables, env() and
# passwords are unknown) and callctl test (the policy's *.calltest.hcl
# against mock exchanges). Exits non-zero, so the check goes red, when the
# policy is unformatted or invalid or a test fails.
set -euo pipefail
policy=$1
callctl=${CALLCTL:-callctl}
export CALLCTL_IN_AUTOMATION=1

echo "::group::callctl fmt -check"
"$callctl" -chdir="$policy" fmt -check -diff -recursive
echo "::endgroup::"

echo "::group::callctl validate"
"$callctl" -chdir="$policy" validate -no-color
echo "::endgroup::"

echo "::group::callctl test"
"$callctl" -chdir="$policy" test -no-color
echo "::endgroup::"
