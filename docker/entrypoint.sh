#!/bin/sh
# The image's entry point (under tini). For the server (`openai-mock ...`, or flags alone):
#   1. OPENAI_MOCK_SPEC names the spec; when scripts are mounted in /docker-entrypoint.d it is a
#      writable copy of the baked spec, which they may edit;
#   2. runs /docker-entrypoint.d/*.sh in name order (*.envsh are sourced, to export settings); a
#      script that fails stops the container with its name and exit code;
#   3. execs the server on $OPENAI_MOCK_HOST:$OPENAI_MOCK_PORT (0.0.0.0:4010), with the config
#      mounted in /config, watched for changes. Flags given to `docker run` come last and win.
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

if [ -z "${OPENAI_MOCK_SPEC:-}" ]; then
  OPENAI_MOCK_SPEC=/app/spec/openapi.yaml
  if [ -n "$scripts" ]; then
    work="${TMPDIR:-/tmp}/openai-mock"
    if ! { mkdir -p "$work" && cp /app/spec/openapi.yaml "$work/openapi.yaml"; }; then
      say "cannot copy the spec to $work for /docker-entrypoint.d to edit (a --read-only container? add --tmpfs /tmp)"
      exit 1
    fi
    OPENAI_MOCK_SPEC="$work/openapi.yaml"
  fi
fi
export OPENAI_MOCK_SPEC

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

# A config in /config under the name the server does not search for by itself (it finds
# openai-mock.config.* and .openai-mockrc there, the working directory).
defaults=""
if [ -z "${OPENAI_MOCK_CONFIG:-}" ]; then
  for file in /config/mock.config.ts /config/mock.config.mts /config/mock.config.js /config/mock.config.mjs \
    /config/mock.config.cjs /config/mock.config.json /config/mock.config.yaml /config/mock.config.yml; do
    if [ -f "$file" ]; then
      defaults="--config $file"
      break
    fi
  done
fi
# A mounted config is there to be edited: watch it unless told otherwise (OPENAI_MOCK_WATCH=0, --no-watch).
# A file mounted alone (`-v $PWD/mock.config.ts:/config/mock.config.ts`) is not in the folder the
# watcher listens to, whose events never mention it: such a file is polled instead.
for file in /config/openai-mock.config.* /config/mock.config.* /config/.openai-mockrc* ${OPENAI_MOCK_CONFIG:-}; do
  [ -f "$file" ] || continue
  [ -n "${OPENAI_MOCK_WATCH:-}" ] || defaults="$defaults --watch"
  if [ -z "${OPENAI_MOCK_WATCH_POLL:-}" ] && awk -v file="$file" '$5 == file { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    export OPENAI_MOCK_WATCH_POLL=1
  fi
  break
done

# shellcheck disable=SC2086
exec node /app/dist/cli/main.js --host "${OPENAI_MOCK_HOST:-0.0.0.0}" --port "${OPENAI_MOCK_PORT:-4010}" $defaults "$@"
