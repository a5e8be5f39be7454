#!/usr/bin/env bash
# The steps of the slogen composite action (action.yml), runnable anywhere:
#   1. `slogen generate --check`: fails the job when out/ does not match the specs;
#   2. `slogen diff BASE` as Markdown into the job summary and a file (for a PR comment);
#   3. with SLOGEN_COMMENT=true and a PR number, posts or updates that comment with `gh`.
# Inputs come from the environment; exit 0 ok, 1 out/ is stale, 2 a spec or usage error.
set -uo pipefail

SLOGEN=${SLOGEN:-slogen}
SPECS=${SLOGEN_SPECS:-slos}
OUT=${SLOGEN_OUT:-out}
BASE=${SLOGEN_BASE_REF:-}
DIFF_FILE=${SLOGEN_DIFF_FILE:-slogen-diff.md}
SUMMARY=${GITHUB_STEP_SUMMARY:-/dev/null}
OUTPUTS=${GITHUB_OUTPUT:-/dev/null}

$SLOGEN generate --specs "$SPECS" --out "$OUT" --check
check=$?
case $check in
  0) echo "stale=false" >>"$OUTPUTS" ;;
  1) echo "stale=true" >>"$OUTPUTS"
     printf '**slogen**: `%s` does not match the specs; run `slogen generate` and commit it.\n\n' \
       "$OUT" >>"$SUMMARY" ;;
  *) exit "$check" ;;
esac

if [ -n "$BASE" ]; then
  ref=$BASE
  if ! git rev-parse --verify --quiet "$BASE^{commit}" >/dev/null; then
    # Actions check out only the PR head; the base branch comes from the remote.
    git fetch --quiet --no-tags --depth=1 origin "+refs/heads/$BASE:refs/remotes/origin/$BASE" \
      || { echo "slogen: cannot fetch base branch $BASE" >&2; exit 2; }
    ref=origin/$BASE
  fi
  $SLOGEN diff "$ref" --specs "$SPECS" --output "$DIFF_FILE"
  diff=$?
  case $diff in
    0) echo "changed=false" >>"$OUTPUTS" ;;
    1) echo "changed=true" >>"$OUTPUTS" ;;
    *) exit "$diff" ;;
  esac
  echo "diff-file=$DIFF_FILE" >>"$OUTPUTS"
  cat "$DIFF_FILE" >>"$SUMMARY"
  if [ "${SLOGEN_COMMENT:-false}" = true ] && [ -n "${SLOGEN_PR:-}" ] && [ "$diff" = 1 ]; then
    gh pr comment "$SLOGEN_PR" --edit-last --create-if-none --body-file "$DIFF_FILE" \
      || { echo "slogen: could not comment on pull request $SLOGEN_PR" >&2; exit 2; }
  fi
fi
[ "$check" = 0 ] || exit 1
