#!/usr/bin/env bash
# Where relay-service's CPU and memory go at the shared load (README.md "Profile"): runs fanout.py for relay-service
# alone (RUNS=1, no steps, no overload) and, 5 s into the measured phase, records for PROFILE_S seconds an
# async-profiler profile (PROFILE_EVENT: cpu or alloc; async-profiler from Maven Central, loaded through the attach
# API), GC counts before and after (jstat), then Native Memory Tracking, a per-region split of RssAnon (smaps) and
# a class histogram. Results in PROFILE_OUT (default bench/target/relay-profile).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${JAVA_HOME:?set JAVA_HOME to a JDK >= 21}"
out=${PROFILE_OUT:-$root/bench/target/relay-profile}
event=${PROFILE_EVENT:-cpu}
seconds=${PROFILE_S:-20}
ap_version=${ASYNC_PROFILER_VERSION:-4.1}
mkdir -p "$out"

# async-profiler's native library ships in a jar on Maven Central
jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version-linux-x64.jar"
[ -f "$jar" ] || mvn -B -q -ntp dependency:get -Dartifact="tools.profiler:async-profiler:$ap_version:jar:linux-x64"
(cd "$out" && unzip -oq "$jar" 'linux-x64/*')
lib="$out/linux-x64/libasyncProfiler.so"
# jcmd's JVMTI.agent_load splits the agent's options on '=', so load it through the attach API
cat >"$out/Attach.java" <<'EOF'
public class Attach {
    public static void main(String[] a) throws Exception {
        var vm = com.sun.tools.attach.VirtualMachine.attach(a[0]);
        vm.loadAgentPath(a[1], a[2]);
        vm.detach();
    }
}
EOF
"$JAVA_HOME/bin/javac" -d "$out" "$out/Attach.java"
if [ "$event" = cpu ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
  echo "cpu profiling needs kernel.perf_event_paranoid <= 1 (sysctl -w kernel.perf_event_paranoid=1)" >&2
  exit 2
fi
attach() { "$JAVA_HOME/bin/java" -cp "$out" Attach "$1" "$lib" "$2"; }

rm -f "$out/fanout.done"
opts=$(python3 -c "import sys; sys.path.insert(0, '$here'); import fanout; print(fanout.RELAY_JAVA_OPTS)")
(
  # the measured phase is the publisher's phase number 1
  until pgrep -f 'Publisher .* 1$' >/dev/null; do
    [ -e "$out/fanout.done" ] && exit 1 # the run ended (or failed) before its measured phase
    sleep 1
  done
  sleep 5
  pid=$(pgrep -f -- "-Dquarkus.http.port=.*quarkus-run.jar" | head -1)
  "$JAVA_HOME/bin/jstat" -gc "$pid" >"$out/jstat-before.txt"
  case $event in
    cpu) attach "$pid" "start,event=cpu,interval=1ms,threads" ;;
    *) attach "$pid" "start,event=$event" ;;
  esac
  sleep "$seconds"
  attach "$pid" "stop,file=$out/$event.collapsed,collapsed"
  "$JAVA_HOME/bin/jstat" -gc "$pid" >"$out/jstat-after.txt"
  "$JAVA_HOME/bin/jcmd" "$pid" VM.native_memory summary >"$out/nmt.txt"
  grep -E '^(Rss|Vm)' "/proc/$pid/status" >"$out/status.txt"
  cp "/proc/$pid/smaps" "$out/smaps.txt"
  "$JAVA_HOME/bin/jcmd" "$pid" GC.class_histogram >"$out/histogram.txt"
) &
watcher=$!
RELAYS=relay-service RUNS=1 STEP_RATES= OVERLOAD_CLIENTS=0 LOAD_WAIT_S=${LOAD_WAIT_S:-60} PHASE_S=$((seconds + 10)) \
  FANOUT_WORK="$out" RESULT_FILE="$out/fanout.tsv" RELAY_JAVA_OPTS="$opts -XX:NativeMemoryTracking=summary" \
  "$here/run.sh" >"$out/fanout.out" 2>"$out/fanout.log" || true
touch "$out/fanout.done"
wait "$watcher" || { echo "no profile: the run ended before its measured phase or a capture failed (see $out/fanout.log)" >&2; exit 1; }
python3 "$here/profile_summary.py" "$out" "$event"
