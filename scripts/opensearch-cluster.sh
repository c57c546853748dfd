#!/usr/bin/env bash
# A throwaway three-node OpenSearch cluster on 127.0.0.1 for the engine's tests and development.
#
#   scripts/opensearch-cluster.sh start | stop | status
#   scripts/opensearch-cluster.sh start-node N | stop-node N | kill-node N     (N = 1, 2 or 3)
#
# Node N serves HTTP on 920N and transport on 930N with a 512 MB heap, in cluster `indexer-test`.
# The distribution is OpenSearch's integ-test zip (from Maven, no security plugin: plain HTTP, no
# login). Each node is its own unpacked copy in $OPENSEARCH_CLUSTER_DIR/nodeN, so its config, data,
# logs and the files the JVM writes relative to its home (gc.log, heap dumps) are its own.
#
# `start` waits (at most $OPENSEARCH_CLUSTER_TIMEOUT s) for green with three nodes, and starts from
# empty data when no node is running: the cluster holds nothing worth keeping, and a fresh start
# cannot trip over what a killed run left behind. `stop-node`/`kill-node` and `start-node` take one
# node down (gracefully, or with SIGKILL) and bring it back with its data, as a test would.
# OpenSearch refuses to run as root, so root runs the nodes as the system user `opensearch`.
set -euo pipefail

VERSION=2.19.6
ARTIFACT=org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip
# Maven's local repository; mvn is told to use it too, so we look where it puts the zip.
M2_REPO=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
ZIP=$M2_REPO/org/opensearch/distribution/integ-test-zip/opensearch/$VERSION/opensearch-$VERSION.zip
DIR=$(realpath -m "${OPENSEARCH_CLUSTER_DIR:-/tmp/indexer-opensearch}")
TIMEOUT=${OPENSEARCH_CLUSTER_TIMEOUT:-180}
STOP_TIMEOUT=60
CLUSTER=indexer-test
NODES=(1 2 3)
HEAP=512m
RUN_AS=opensearch

say() { echo "opensearch-cluster: $*"; }
die() {
  echo "opensearch-cluster: $*" >&2
  exit 1
}

home_of() { echo "$DIR/node$1"; }
http_port() { echo $((9200 + $1)); }

# The JVM's pid of node N, or nothing. The pidfile appears only once the JVM has booted and a
# killed node leaves a stale one, so the command line, which names the node's home, decides.
node_pid() {
  local home pid pattern
  home=$(home_of "$1")
  pid=$(cat "$home/opensearch.pid" 2>/dev/null || true)
  if [[ -n $pid ]] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" |
    grep -qF -- "-Dopensearch.path.home=$home "; then
    echo "$pid"
    return
  fi
  pattern=$(printf '%s' "-Dopensearch.path.home=$home " | sed 's/[][\.*^$+?(){}|]/\\&/g')
  pgrep -f -- "$pattern" | head -n 1 || true
}

running_nodes() {
  local n
  for n in "${NODES[@]}"; do
    [[ -z $(node_pid "$n") ]] || echo "$n"
  done
}

# Run a command as the user the nodes run as: ourselves, or `opensearch` when we are root.
as_runner() {
  if [[ $EUID -eq 0 ]]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

pick_java() {
  local home=${OPENSEARCH_JAVA_HOME:-}
  if [[ -z $home ]]; then
    home=/usr/lib/jvm/java-17-openjdk-amd64
    [[ -d $home ]] || home=${JAVA_HOME:-}
  fi
  [[ -n $home && -x $home/bin/java ]] ||
    die "no Java: install openjdk-17-jre-headless or set OPENSEARCH_JAVA_HOME"
  JAVA_FOR_NODES=$home
}

# Everything `start` and `start-node` need before a node can be launched.
prepare() {
  local tool
  for tool in curl unzip; do
    command -v "$tool" >/dev/null || die "$tool is needed"
  done
  pick_java
  if [[ ! -f $ZIP ]]; then
    command -v mvn >/dev/null || die "$ZIP is missing and there is no mvn to fetch it"
    say "fetching $ARTIFACT with Maven"
    mvn -B -q dependency:get -Dartifact="$ARTIFACT" -Dtransitive=false -Dmaven.repo.local="$M2_REPO"
    [[ -f $ZIP ]] || die "mvn did not put the distribution at $ZIP"
  fi
  mkdir -p "$DIR"
  [[ -w $DIR ]] || die "$DIR is not writable by $(id -un): remove it or set OPENSEARCH_CLUSTER_DIR"
  if [[ $EUID -eq 0 ]] && ! id -u "$RUN_AS" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$RUN_AS"
  fi
}

# Unpack a pristine copy for node N unless one of this version is there. Unpacking goes to a
# scratch folder first, so an interrupted unzip never passes for an install.
install_node() {
  local home
  home=$(home_of "$1")
  [[ -f $home/lib/opensearch-$VERSION.jar ]] && return
  rm -rf "$home" "$DIR/.unpack"
  unzip -q "$ZIP" -d "$DIR/.unpack"
  mv "$DIR/.unpack/opensearch-$VERSION" "$home"
  rmdir "$DIR/.unpack"
}

# Written on every start, so a change here reaches nodes that already exist.
configure_node() {
  local n=$1 home
  home=$(home_of "$n")
  mkdir -p "$home/logs" "$home/tmp" "$home/config/jvm.options.d"
  touch "$home/logs/startup.log"
  cat >"$home/config/opensearch.yml" <<EOF
# Written by scripts/opensearch-cluster.sh at each start: change the script, not this file.
cluster.name: $CLUSTER
node.name: node-$n
# Loopback only: this keeps OpenSearch in development mode, where the bootstrap checks
# (vm.max_map_count, file descriptors) warn instead of refusing to start.
network.host: 127.0.0.1
http.port: $(http_port "$n")
transport.port: $((9300 + n))
discovery.seed_hosts: ["127.0.0.1:9301", "127.0.0.1:9302", "127.0.0.1:9303"]
cluster.initial_cluster_manager_nodes: ["node-1", "node-2", "node-3"]
# Test data is small, but a nearly full disk would still stop shards from being allocated.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  # jvm.options.d is read after jvm.options, so these replace the distribution's 1 GB heap.
  printf -- '-Xms%s\n-Xmx%s\n' "$HEAP" "$HEAP" >"$home/config/jvm.options.d/heap.options"
}

# Launch node N in the background unless it runs. setsid detaches it from our terminal and
# process group, so neither a Ctrl-C nor the end of the calling job takes it down.
launch_node() {
  local n=$1 home cmd
  home=$(home_of "$n")
  if [[ -n $(node_pid "$n") ]]; then
    say "node-$n is already running"
    return
  fi
  rm -f "$home/opensearch.pid"
  say "starting node-$n on http://127.0.0.1:$(http_port "$n")"
  cmd=(env OPENSEARCH_JAVA_HOME="$JAVA_FOR_NODES" OPENSEARCH_TMPDIR="$home/tmp"
    "$home/bin/opensearch" -d -p "$home/opensearch.pid")
  [[ $EUID -ne 0 ]] || cmd=(runuser -u "$RUN_AS" -- "${cmd[@]}")
  (cd "$home" && setsid -w "${cmd[@]}" >"$home/logs/startup.log" 2>&1 </dev/null) ||
    { show_logs "$n"; die "node-$n did not start"; }
}

# What went wrong, briefly: the launch's own output without stack frames (it names the cause,
# e.g. "Address already in use"), then the node's latest warnings and errors.
show_logs() {
  local n home
  for n in "$@"; do
    home=$(home_of "$n")
    echo "--- node-$n, logs in $home/logs ---"
    grep -v -E '^\s+(at |\.\.\. [0-9]+ more)' "$home/logs/startup.log" 2>/dev/null | tail -n 4 || true
    grep -E '^\[[^]]*\]\[(WARN |ERROR)' "$home/logs/$CLUSTER.log" 2>/dev/null | tail -n 8 | cut -c1-300 || true
  done >&2
}

# Root unpacked and configured everything; the nodes run as `opensearch` and must own it.
hand_over() {
  [[ $EUID -eq 0 ]] || return 0
  chown -R "$RUN_AS:$RUN_AS" "$DIR"
  as_runner test -w "$DIR" ||
    die "user $RUN_AS cannot reach $DIR: set OPENSEARCH_CLUSTER_DIR to a folder outside private homes"
}

# Whether node N answers a health query (wait_for_… parameters in $2) with green, in time.
green_at() {
  local health
  health=$(curl -s --max-time 20 "http://127.0.0.1:$(http_port "$1")/_cluster/health?$2") || return 1
  [[ $health == *'"status":"green"'* && $health == *'"timed_out":false'* ]]
}

# Wait until the cluster is green with exactly the given nodes, each answering on its own HTTP
# port (a node joins the cluster before it binds HTTP, and may die binding it). On timeout, or as
# soon as one of them has died, show their logs and fail.
wait_green() {
  local deadline=$((SECONDS + TIMEOUT)) n ready
  local query="wait_for_status=green&wait_for_nodes=$#&timeout=10s"
  while ((SECONDS < deadline)); do
    sleep 1
    for n in "$@"; do
      [[ -n $(node_pid "$n") ]] || { show_logs "$n"; die "node-$n died while starting"; }
    done
    ready=yes
    for n in "$@"; do
      green_at "$n" "$query" || { ready= && break; }
    done
    [[ -z $ready ]] || return 0
  done
  show_logs "$@"
  die "the cluster was not green with nodes $* after $TIMEOUT s"
}

# Stop the given nodes with a signal (TERM: a graceful shutdown) and wait for them to exit;
# whatever still runs after $STOP_TIMEOUT s is killed. Liveness is node_pid's, which a zombie
# (empty command line) or another user's process (kill -0 fails) cannot fool.
stop_nodes() {
  local signal=$1 n pid deadline=$((SECONDS + STOP_TIMEOUT))
  shift
  for n in "$@"; do
    pid=$(node_pid "$n")
    if [[ -z $pid ]]; then
      say "node-$n is not running"
      continue
    fi
    say "stopping node-$n (pid $pid, SIG$signal)"
    kill "-$signal" "$pid" 2>/dev/null || [[ -z $(node_pid "$n") ]] ||
      die "cannot signal node-$n (pid $pid): run this as its owner"
  done
  for n in "$@"; do
    while [[ -n $(node_pid "$n") ]] && ((SECONDS < deadline)); do sleep 0.5; done
    pid=$(node_pid "$n")
    if [[ -n $pid ]]; then
      say "node-$n did not stop in $STOP_TIMEOUT s: killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      while [[ -n $(node_pid "$n") ]]; do sleep 0.2; done
    fi
    rm -f "$(home_of "$n")/opensearch.pid"
  done
}

start_cluster() {
  local began=$SECONDS n
  prepare
  if [[ -z $(running_nodes) ]]; then
    for n in "${NODES[@]}"; do rm -rf "$(home_of "$n")/data"; done
  fi
  for n in "${NODES[@]}"; do
    [[ -n $(node_pid "$n") ]] && continue
    install_node "$n"
    configure_node "$n"
  done
  hand_over
  for n in "${NODES[@]}"; do launch_node "$n"; done
  wait_green "${NODES[@]}"
  say "green with ${#NODES[@]} nodes after $((SECONDS - began)) s:" \
    "http://127.0.0.1:9201,http://127.0.0.1:9202,http://127.0.0.1:9203"
}

# Bring node N back (with the data it had) and wait for green with it and every running node.
start_one() {
  local n=$1 began=$SECONDS m nodes=()
  # Alone, a node cannot elect a cluster manager (it needs two of the three votes).
  [[ -n $(running_nodes) ]] || die "no node is running: start the cluster with \`$0 start\`"
  prepare
  if [[ -z $(node_pid "$n") ]]; then
    install_node "$n"
    configure_node "$n"
    hand_over
    launch_node "$n"
  fi
  for m in "${NODES[@]}"; do
    [[ $m == "$n" || -n $(node_pid "$m") ]] && nodes+=("$m")
  done
  wait_green "${nodes[@]}"
  say "node-$n is in: green with ${#nodes[@]} nodes after $((SECONDS - began)) s"
}

status() {
  local n pid
  for n in "${NODES[@]}"; do
    pid=$(node_pid "$n")
    echo "node-$n  http://127.0.0.1:$(http_port "$n")  ${pid:+running, pid }${pid:-stopped}"
  done
  for n in "${NODES[@]}"; do
    curl -s --max-time 10 "http://127.0.0.1:$(http_port "$n")/_cluster/health?pretty" && return 0
  done
  say "no node answers"
  return 1
}

usage() {
  echo "usage: $0 start | stop | status | start-node N | stop-node N | kill-node N  (N: 1-3)" >&2
  exit 2
}

case "${1:-}" in
  *-node) [[ ${2:-} =~ ^[123]$ ]] || usage ;;
esac
case "${1:-}" in
  start) start_cluster ;;
  stop) stop_nodes TERM "${NODES[@]}" ;;
  status) status ;;
  start-node) start_one "$2" ;;
  stop-node) stop_nodes TERM "$2" ;;
  kill-node) stop_nodes KILL "$2" ;;
  *) usage ;;
esac
