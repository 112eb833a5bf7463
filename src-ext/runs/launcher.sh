#!/bin/sh
# Runs one agent and records how it ended: Dispatch's launcher, one per live run, so it must cost
# next to nothing (a POSIX shell waiting on a child: about 1 MB, against 42 MB for a Bun one).
#
# Started as `sh launcher.sh SPECS/<run>.json`, in tmux (the pane's process) or as a detached job
# (its own process group, output appended to the log). It reads SPECS/<run>.sh, written by the
# engine (launch-script.ts): variables and `set -- ARGV`, every value a single-quoted literal, so no
# string in it is ever read as a command. It keeps the guarantees a run's life rests on:
# - its first act records where it runs (PID_FILE: its pid and start time, then the agent's);
# - its last act records how the agent ended (EXIT_FILE, written whole: temp file then rename), in
#   the fallback folder when that one cannot take it, retried until written: never lost;
# - the agent runs in its group (the pane's, or the job's own), with the prompt file on stdin for
#   a headless run and the pane's terminal for an interactive one;
# - a headless run's timeout ends the whole group (SIGTERM, then SIGKILL for the agent 5 s later),
#   with one `sleep` as its clock (a shell has no alarm);
# - SIGTERM, SIGINT and SIGHUP reach the agent, and the launcher outlives them to record its exit.
# What the log says (Claude Code's final `result`, `--save-to`) is read by the engine afterwards.

spec="${1%.json}.sh"
[ -r "$spec" ] || { echo "dispatch: no launch script $spec" >&2; exit 2; }
. "$spec" || exit 2
: "${PID_FILE:?}" "${EXIT_FILE:?}" "${EXIT_FALLBACK:?}" "${INPUT?}" "${TIMEOUT:?}"

now() { date -u +%Y-%m-%dT%H:%M:%S.000Z; }

# Field 22 of /proc/PID/stat (start time in clock ticks, an opaque token for the engine), as JSON.
start_of() {
  [ -r "/proc/$1/stat" ] || { printf null; return; }
  read -r stat <"/proc/$1/stat" || { printf null; return; }
  set -f
  # shellcheck disable=SC2086 # splitting the fields after "(comm) " is the point
  set -- ${stat##*) }
  set +f
  shift 19
  printf '"%s"' "$1"
}

# Writes FILE whole (a temp file, then a rename), private to the user. The temp file is made new
# (noclobber: O_EXCL), never through something planted under its name.
put() {
  tmp="$1.$$.tmp"
  rm -f "$tmp" 2>/dev/null
  (set -C && umask 077 && printf '%s\n' "$2" >"$tmp") 2>/dev/null && mv -f "$tmp" "$1" 2>/dev/null && return 0
  rm -f "$tmp" 2>/dev/null
  return 1
}

# A folder of ours that no one else may enter, as the engine checks the fallback one (and its parent).
private_dir() {
  [ -d "$1" ] && [ ! -L "$1" ] && [ -O "$1" ] && [ "$(ls -ld "$1" | cut -c5-10)" = "------" ]
}

started=$(now)
self_start=$(start_of $$)
put "$PID_FILE" "{\"pid\":$$,\"pidStart\":$self_start,\"startedAt\":\"$started\"}" ||
  echo "dispatch: could not write $PID_FILE" >&2

# Caught (never ignored, which the agent would inherit): the signal reaches the agent, and we
# record its exit afterwards.
agent=""
forward() { [ -n "$agent" ] && kill "-$1" "$agent" 2>/dev/null; }
trap 'forward TERM' TERM
trap 'forward INT' INT
trap 'forward HUP' HUP

timed_out=""
if [ -z "$INPUT" ]; then
  # Interactive: the agent in the foreground of the pane's terminal (a job started with `&`
  # would have SIGINT ignored). Its pid is our child's: the engine finds it there.
  "$@"
  code=$?
else
  "$@" <"$INPUT" &
  agent=$!
  # A job started with `&` has SIGINT ignored (POSIX): an interrupt reaches it as SIGTERM.
  trap 'forward TERM' INT
  put "$PID_FILE" "{\"pid\":$$,\"pidStart\":$self_start,\"startedAt\":\"$started\",\"agentPid\":$agent,\"agentStart\":$(start_of "$agent")}" ||
    echo "dispatch: could not write $PID_FILE" >&2
  # The timeout: one `sleep` beside the agent. Its end (SIGCHLD, caught) wakes the `wait` below,
  # which then finds it gone: the whole group gets SIGTERM, and the agent SIGKILL 5 s later.
  sleeper="" grace=""
  if [ "$TIMEOUT" -gt 0 ]; then
    trap ':' CHLD
    sleep "$TIMEOUT" &
    sleeper=$!
  fi
  # `wait` returns early when a caught signal arrives: wait again until the agent has ended.
  wait "$agent"
  code=$?
  while kill -0 "$agent" 2>/dev/null; do
    if [ -n "$sleeper" ] && ! kill -0 "$sleeper" 2>/dev/null; then
      sleeper=""
      timed_out=1
      printf '\ndispatch: timed out after %s s\n' "$TIMEOUT" >&2
      # (dash's kill takes no `--`: `-PID` names the group.)
      kill -TERM "-$$" 2>/dev/null || kill -TERM "$agent" 2>/dev/null
      sleep 5 &
      grace=$!
    elif [ -n "$grace" ] && ! kill -0 "$grace" 2>/dev/null; then
      grace=""
      kill -KILL "$agent" 2>/dev/null
    fi
    wait "$agent"
    code=$?
  done
  # A `wait` a SIGCHLD interrupted (the timeout's sleep ending, say) may have reaped the agent as
  # well: dash keeps its status for one more `wait`. bash does not (it answers "not a child"), and
  # there a timed run's exit code can read 145 (SIGCHLD): a known gap where /bin/sh is bash (macOS).
  if [ -z "${BASH_VERSION-}" ]; then
    wait "$agent" 2>/dev/null
    code=$?
  fi
  trap - CHLD
  # KILL: a `sleep` just forked still runs our TERM trap until it execs, and would outlive a TERM.
  for timer in $sleeper $grace; do kill -KILL "$timer" 2>/dev/null; done
fi

signal=null
if [ "$code" -gt 128 ]; then
  name=$(kill -l "$((code - 128))" 2>/dev/null) && signal="\"SIG${name#SIG}\""
fi
reason=null
if [ -n "$timed_out" ]; then
  reason="\"timed out after $TIMEOUT s\""
elif [ "$code" -eq 127 ]; then
  reason="\"could not start the agent (exit code 127: not found; its log says which program)\""
fi
record="{\"code\":$code,\"signal\":$signal,\"endedAt\":\"$(now)\",\"reason\":$reason,\"result\":null}"

said=""
until put "$EXIT_FILE" "$record"; do
  dir=${EXIT_FALLBACK%/*}
  (umask 077 && mkdir -p "$dir") 2>/dev/null
  if private_dir "$dir" && private_dir "${dir%/*}" && put "$EXIT_FALLBACK" "$record"; then
    echo "dispatch: $EXIT_FILE could not be written: recorded the exit in $EXIT_FALLBACK" >&2
    break
  fi
  [ -n "$said" ] || echo "dispatch: cannot record exit code $code: retrying until ${EXIT_FILE%/*} is writable" >&2
  said=1
  sleep 2
done
exit "$code"
