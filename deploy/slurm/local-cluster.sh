#!/usr/bin/env bash
# A throw-away single-node Slurm cluster on this machine, to try (and test) deploy/slurm/bench-array.sh
# without a real cluster. Needs root and Debian's `slurm-wlm` and `munge` packages:
#   apt-get install -y slurm-wlm munge
#
#   deploy/slurm/local-cluster.sh start DIR   # writes DIR/slurm.conf, starts munged, slurmctld, slurmd
#   export SLURM_CONF=DIR/slurm.conf           # then sbatch / squeue / scontrol talk to it
#   deploy/slurm/local-cluster.sh stop DIR    # stops the three daemons again
#
# Everything lives in DIR (config, munge key and socket, state, spool, logs); one node named after
# this host (`hostname -s`, address 127.0.0.1), one partition `bench`, processes tracked through
# /proc (proctrack/linuxproc), no task binding (task/none), ports $SLURM_LOCAL_PORT (default 16817)
# and the next one.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

stop_pid() { # stop_pid PIDFILE: TERM the daemon, then KILL it if it lingers
  local f="$1"
  [ -s "$f" ] || return 0
  local pid
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "$cmd" in
  stop)
    # slurmd first (it may still run job steps), then the controller, then munge
    stop_pid "$dir/slurmd.pid"
    stop_pid "$dir/slurmctld.pid"
    stop_pid "$dir/munged.pid"
    exit 0
    ;;
  start) ;;
  *)
    echo "unknown command '$cmd' (start or stop)" >&2
    exit 2
    ;;
esac

for tool in munged mungekey slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install -y slurm-wlm munge" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "the local cluster runs its daemons as root" >&2; exit 1; }

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
chmod 700 "$dir"
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
host="$(hostname -s)"
port="${SLURM_LOCAL_PORT:-16817}"
cpus="$(nproc)"
mem="$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)"

[ -s "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" --force
chmod 600 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed"

cat > "$dir/slurm.conf" <<CONF
ClusterName=fewshot-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmdParameters=config_overrides
SchedulerParameters=sched_interval=2
MessageTimeout=20
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=bench Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -f "$dir/slurm.conf" -i
slurmd -f "$dir/slurm.conf" -N "$host"

# ready when the node is idle (or mixed/allocated: already running work)
export SLURM_CONF="$dir/slurm.conf"
for _ in $(seq 150); do
  state="$(sinfo -h -n "$host" -o '%T' 2>/dev/null || true)"
  case "$state" in
    idle*|mixed*|allocated*) echo "slurm: node $host $state (SLURM_CONF=$dir/slurm.conf)"; exit 0 ;;
  esac
  sleep 0.2
done
echo "the local Slurm cluster did not come up; node state '${state:-none}'; logs in $dir" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
exit 1
