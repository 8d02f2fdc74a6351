#!/bin/sh
# The image's entry point (under tini). For the server (`openai-mock ...`, or flags alone):
#   1. when scripts are mounted in /docker-entrypoint.d, OPENAI_MOCK_SPEC names a writable copy of
#      the baked spec, which they may edit and the server then reads;
#   2. runs /docker-entrypoint.d/*.sh in name order (*.envsh are sourced, to export settings); a
#      script that fails stops the container with its name and exit code;
#   3. execs the server, which listens where the image's environment says (OPENAI_MOCK_HOST,
#      OPENAI_MOCK_PORT: 0.0.0.0:4010), with a config mounted in /config watched for changes.
#      Flags given to `docker run` win over the environment.
# Any other command (`sh`, `node`) runs as it is.
set -eu

say() { echo "openai-mock entrypoint: $*" >&2; }

[ $# -gt 0 ] || set -- openai-mock
case "$1" in
  -*) set -- openai-mock "$@" ;;
esac
[ "$1" = openai-mock ] || exec "$@"
shift

scripts=$(find -L /docker-entrypoint.d/ -maxdepth 1 -type f \( -name '*.sh' -o -name '*.envsh' \) 2>/dev/null | LC_ALL=C sort)

# Only for the scripts: otherwise the spec stays the server's to choose (a mounted config's "spec"
# comes after the environment, so exporting the default would hide it).
if [ -n "$scripts" ] && [ -z "${OPENAI_MOCK_SPEC:-}" ]; then
  work="${TMPDIR:-/tmp}/openai-mock"
  if ! { mkdir -p "$work" && cp /app/spec/openapi.yaml "$work/openapi.yaml"; }; then
    say "cannot copy the spec to $work for /docker-entrypoint.d to edit (a --read-only container? add --tmpfs /tmp)"
    exit 1
  fi
  export OPENAI_MOCK_SPEC="$work/openapi.yaml"
fi

# Names with spaces are not supported in /docker-entrypoint.d (one script per line).
for script in $scripts; do
  case "$script" in
    *.envsh)
      say "sourcing $script"
      # shellcheck disable=SC1090
      . "$script"
      ;;
    *)
      say "running $script"
      status=0
      if [ -x "$script" ]; then "$script" || status=$?; else sh "$script" || status=$?; fi
      if [ "$status" -ne 0 ]; then
        say "$script failed with exit code $status; not starting"
        exit "$status"
      fi
      ;;
  esac
done

# A mounted config is there to be edited: watched unless told otherwise (OPENAI_MOCK_WATCH=0,
# --no-watch). The watcher listens to folders, whose events never name a file mounted alone
# (`-v $PWD/mock.config.ts:/config/mock.config.ts`): such a file is polled instead.
for file in ${OPENAI_MOCK_CONFIG:-} /config/openai-mock.config.* /config/mock.config.* /config/.openai-mockrc*; do
  [ -f "$file" ] || continue
  [ -n "${OPENAI_MOCK_WATCH:-}" ] || export OPENAI_MOCK_WATCH=1
  if [ -z "${OPENAI_MOCK_WATCH_POLL:-}" ] && awk -v file="$file" '$5 == file { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    export OPENAI_MOCK_WATCH_POLL=1
  fi
  break
done

# Where it listens comes from the image's OPENAI_MOCK_HOST and OPENAI_MOCK_PORT (0.0.0.0:4010).
exec node /app/dist/cli/main.js "$@"
