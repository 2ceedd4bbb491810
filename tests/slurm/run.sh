#!/usr/bin/env bash
# A sweep as a real Slurm job array on this machine (one node, no systemd, no accounting).
#
#   tests/slurm/run.sh [CCSIM]        CCSIM: the ccsim binary [default: target/release/ccsim]
#
# Needs root and Debian's apt (installs slurm-wlm, munge and jq when missing); prints `SKIP: ...`
# and exits 0 where apt-get is unavailable or it does not run as root. It builds nothing: build
# the binary first (cargo build --release --locked).
#
# What it checks: a single-process `ccsim sweep` of tests/slurm/small-sweep.toml; the same sweep
# as a 4-task job array from `ccsim slurm`, every task COMPLETED with exit code 0; `ccsim merge`
# of the 4 shard folders gives the results files of the single run byte for byte (manifest.json
# records when and how it ran, so it is compared without started, wall_seconds, threads and
# merged_from, keys in order) and passes
# `ccsim verify`; with one shard folder deleted, merge exits 2 naming that shard; that shard
# re-run alone through Slurm (sbatch --array=K) repairs the merge, byte for byte again.
#
# Every daemon it starts (munged, slurmctld, slurmd) is stopped and its temporary folder removed
# on any exit; a munged that was already running is used and left running.
set -euo pipefail
cd "$(dirname "$0")/../.."

SWEEP=$PWD/tests/slurm/small-sweep.toml # absolute: the jobs run in the submission folder, $T
SHARDS=4
MISSING=3 # the shard deleted and re-run alone
JOB_TIMEOUT=300

T0=$(date +%s.%N)
STEP_T=$T0
STEP_NAME=
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() {
    if [ -n "$STEP_NAME" ]; then echo "   ($(elapsed "$STEP_T") s)"; fi
    STEP_NAME=$1
    STEP_T=$(date +%s.%N)
    echo "== $1"
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
skip() {
    echo "SKIP: Slurm job-array test: $*"
    exit 0
}

# --- preconditions --------------------------------------------------------------------------
CCSIM=${1:-target/release/ccsim}
[ -x "$CCSIM" ] || fail "$CCSIM is not an executable: build it first (cargo build --release --locked)"
CCSIM=$(realpath "$CCSIM")

if [ "$(id -u)" -ne 0 ]; then
    skip "not root (uid $(id -u)); installing Slurm and running its daemons needs root"
fi
have_slurm() {
    local c
    for c in slurmctld slurmd sbatch squeue sinfo scontrol scancel munged munge unmunge jq; do
        command -v "$c" >/dev/null 2>&1 || return 1
    done
}
export PATH=$PATH:/usr/sbin:/sbin # the daemons live there; a non-login root shell may lack it

# --- state for the cleanup trap -------------------------------------------------------------
T=
MUNGED_PID=
SLURMCTLD_PID=
SLURMD_PID=
POLICY_RC_CREATED=
stop_pid() { # stop_pid NAME PID: SIGTERM, wait up to 15 s, then SIGKILL
    local name=$1 pid=$2
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "cleanup: $name ($pid) ignored SIGTERM for 15 s: SIGKILL" >&2
    kill -9 "$pid" 2>/dev/null || true
}
descendants() { # the processes below $1
    local c
    for c in $(ps -o pid= --ppid "$1"); do
        echo "$c"
        descendants "$c"
    done
}
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    if [ -n "$SLURMCTLD_PID" ] && kill -0 "$SLURMCTLD_PID" 2>/dev/null; then
        # `scontrol shutdown` (and stopping slurmd) would leave running jobs: cancel them first.
        # The controller is this script's own, so every job it knows is ours.
        local jobs
        jobs=$(timeout 10 squeue -h -o %F 2>/dev/null | sort -u)
        if [ -n "$jobs" ]; then
            echo "cleanup: cancelling jobs $(paste -sd ' ' <<<"$jobs")" >&2
            # shellcheck disable=SC2086 # one job id a word
            timeout 10 scancel $jobs 2>/dev/null
            for _ in $(seq 100); do
                [ -z "$(timeout 5 squeue -h 2>/dev/null)" ] && break
                sleep 0.2
            done
        fi
    fi
    stop_pid slurmd "$SLURMD_PID"
    # A job step outlives slurmd (and waits for a slurmctld that is gone): find ours by the
    # files they hold open in $T (the job log, slurmd.log) and stop them with their tasks.
    if [ -n "$T" ] && [ -n "$SLURMD_PID" ]; then
        local p
        for p in $(pgrep -x slurmstepd); do
            if find "/proc/$p/fd" -lname "$T/*" 2>/dev/null | grep -q .; then
                echo "cleanup: slurmstepd $p of this test still runs: killing it and its tasks" >&2
                # shellcheck disable=SC2046 # one pid a word
                kill -9 $(descendants "$p") "$p" 2>/dev/null
            fi
        done
    fi
    stop_pid slurmctld "$SLURMCTLD_PID"
    stop_pid munged "$MUNGED_PID"
    if [ -n "$POLICY_RC_CREATED" ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ -n "$T" ] && [ -d "$T" ]; then
        if [ "$rc" -ne 0 ] && [ -n "${KEEP_TMP:-}" ]; then
            echo "cleanup: kept $T (KEEP_TMP set)" >&2
        else
            rm -rf "$T"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

slurm_version() { # without asking a controller (sinfo --version wants a configuration)
    dpkg-query -W -f '${Package} ${Version}\n' slurmctld slurmd slurm-client munge jq 2>/dev/null | paste -sd ' ' ||
        echo "(not from dpkg)"
}

T=$(mktemp -d /tmp/ccsim-slurm.XXXXXX)
chmod 755 "$T" # slurmd and munged look at the folders they use

# --- install ----------------------------------------------------------------------------------
step "Slurm, munge and jq installed"
if have_slurm; then
    echo "already installed: $(slurm_version)"
else
    command -v apt-get >/dev/null 2>&1 || skip "apt-get is not available (not Debian?) and Slurm, munge or jq is not installed"
    # No init scripts or systemd units may start daemons with Debian's defaults: this script
    # starts its own. Docker images already carry a policy-rc.d that says so.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_RC_CREATED=1
    fi
    apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge jq; }
    if ! apt_install >"$T/apt.log" 2>&1; then
        echo "apt-get install failed; apt-get update and again"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$T/apt.log" 2>&1 ||
            { tail -20 "$T/apt.log"; fail "apt-get update failed"; }
        apt_install >>"$T/apt.log" 2>&1 ||
            { tail -20 "$T/apt.log"; fail "apt-get install slurm-wlm munge jq failed"; }
    fi
    if [ -n "$POLICY_RC_CREATED" ]; then rm -f /usr/sbin/policy-rc.d; POLICY_RC_CREATED=; fi
    have_slurm || fail "slurm-wlm, munge and jq installed but a command is missing"
    echo "installed: $(slurm_version)"
fi

# --- munge ------------------------------------------------------------------------------------
step "munged"
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null 2>&1; then
        mungekey --create --keyfile=/etc/munge/munge.key
    else
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    echo "created /etc/munge/munge.key"
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    echo "a munged is already running: using it (and leaving it running)"
else
    rm -f /run/munge/munged.pid
    runuser -u munge -- munged || fail "munged did not start: $(tail -5 /var/log/munge/munged.log 2>/dev/null)"
    for _ in $(seq 50); do
        [ -s /run/munge/munged.pid ] && break
        sleep 0.1
    done
    MUNGED_PID=$(cat /run/munge/munged.pid 2>/dev/null || true)
    [ -n "$MUNGED_PID" ] || fail "munged wrote no pid file: $(tail -5 /var/log/munge/munged.log 2>/dev/null)"
    munge -n | unmunge >/dev/null || fail "munged ($MUNGED_PID) runs but munge -n | unmunge fails"
    echo "munged started (pid $MUNGED_PID)"
fi

# --- slurm ------------------------------------------------------------------------------------
step "slurmctld and slurmd"
free_port() { # a TCP port nothing listens on, from $1 up
    local p=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}
CTLD_PORT=$(free_port 16817)
SLURMD_PORT=$(free_port $((CTLD_PORT + 1)))
mkdir -p "$T/state" "$T/spool" "$T/log"
export SLURM_CONF=$T/slurm.conf
cat >"$SLURM_CONF" <<EOF
# Written by tests/slurm/run.sh: one node, no accounting, no cgroups.
ClusterName=ccsimci
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
logs() {
    local f
    for f in "$T"/log/*.log "$T"/log/*.out; do
        [ -f "$f" ] || continue
        echo "--- $f (last 30 lines)"
        tail -30 "$f"
    done
}
alive() { # the daemons this script started are still running
    kill -0 "$SLURMCTLD_PID" 2>/dev/null || { logs; fail "slurmctld ($SLURMCTLD_PID) has exited"; }
    kill -0 "$SLURMD_PID" 2>/dev/null || { logs; fail "slurmd ($SLURMD_PID) has exited"; }
    [ -z "$MUNGED_PID" ] || kill -0 "$MUNGED_PID" 2>/dev/null || fail "munged ($MUNGED_PID) has exited"
}
slurmctld -D -c -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 &
SLURMCTLD_PID=$!
slurmd -D -N localhost -f "$SLURM_CONF" >"$T/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
echo "slurmctld (pid $SLURMCTLD_PID, port $CTLD_PORT), slurmd (pid $SLURMD_PID, port $SLURMD_PORT), SLURM_CONF=$SLURM_CONF"
state=
for _ in $(seq 120); do
    alive
    state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
done
[ "$state" = idle ] || { logs; fail "node localhost not idle after 60 s (sinfo says '${state:-nothing}')"; }
sinfo

# --- the test ---------------------------------------------------------------------------------
# Wait until job $1 has left the queue, then check that every task of it COMPLETED with exit
# code 0 (scontrol keeps finished jobs for MinJobAge = 300 s; there is no accounting).
wait_job() {
    local job=$1 start now queue info
    start=$(date +%s)
    while :; do
        alive
        # All pending and running jobs (not `-j`: squeue refuses a job id once it is purged).
        queue=$(squeue -h -o %F 2>&1) || { logs; fail "squeue failed: $queue"; }
        grep -qx "$job" <<<"$queue" || break
        now=$(date +%s)
        if [ $((now - start)) -ge "$JOB_TIMEOUT" ]; then
            squeue
            logs
            fail "job $job still queued or running after $JOB_TIMEOUT s"
        fi
        sleep 0.5
    done
    info=$(scontrol -o show job "$job" 2>&1) || { logs; fail "scontrol show job $job failed: $info"; }
    awk <<<"$info" '{
        printf " ";
        for (i = 1; i <= NF; i++) if ($i ~ /^(ArrayJobId|ArrayTaskId|JobState|ExitCode)=/) printf " %s", $i;
        print "" }' | sort
    if grep -v 'JobState=COMPLETED .*ExitCode=0:0' <<<"$info" | grep -q .; then
        logs
        fail "a task of job $job did not complete with exit code 0"
    fi
}
# Each shard folder finished (manifest.json) and its task's log free of errors.
check_shards() {
    local job=$1 k log
    shift
    for k in "$@"; do
        [ -s "$T/shards/shard-$k/manifest.json" ] || fail "shard $k: no $T/shards/shard-$k/manifest.json"
        grep -q "\"shard\": \"$k/$SHARDS\"" "$T/shards/shard-$k/manifest.json" ||
            fail "shard $k: its manifest.json is not of shard $k/$SHARDS"
        log=$T/slurm-${job}_$k.log
        [ -f "$log" ] || fail "shard $k: no job log $log"
        if [ -s "$log" ]; then
            cat "$log"
            fail "shard $k: the job log $log is not empty (ccsim --quiet prints nothing)"
        fi
    done
}
# The merged folder against the single run: every file byte for byte but manifest.json, which
# records when and how each ran (started, wall_seconds, threads) and, merged, the shard folders
# (merged_from); without those, it must be the single run's, keys in the same order (jq keeps
# the order; no -S).
same_as_single() {
    local dir=$1 f
    local have want
    have=$(find "$dir" -mindepth 1 -printf '%P\n' | sort | paste -sd ' ')
    want=$(find "$T/single" -mindepth 1 -printf '%P\n' | sort | paste -sd ' ')
    [ "$have" = "$want" ] || fail "$dir holds $have, the single run $want"
    for f in "$T"/single/*; do
        f=$(basename "$f")
        [ "$f" = manifest.json ] && continue
        cmp "$T/single/$f" "$dir/$f" || fail "$dir/$f differs from the single run's"
    done
    local strip='del(.started, .wall_seconds, .threads, .merged_from)'
    diff <(jq "$strip" "$T/single/manifest.json") <(jq "$strip" "$dir/manifest.json") ||
        fail "$dir/manifest.json differs from the single run's beyond started, wall_seconds, threads, merged_from"
    echo "$dir: the single run's files ($want), byte-identical but manifest.json, which agrees but for started, wall_seconds, threads, merged_from"
}

step "single-process sweep"
"$CCSIM" sweep "$SWEEP" --out "$T/single" --quiet --threads 2
ls -l "$T/single"

step "job array of $SHARDS shards"
"$CCSIM" slurm "$SWEEP" --shards "$SHARDS" --out "$T/shards" >"$T/job.sh"
cat "$T/job.sh"
# The jobs run `ccsim` from PATH (sbatch passes on this environment, SLURM_CONF included) in
# the submission folder, $T, where their logs go.
PATH="$(dirname "$CCSIM"):$PATH"
cd "$T"
JOB=$(sbatch --parsable "$T/job.sh")
JOB=${JOB%%;*}
echo "submitted job array $JOB"
wait_job "$JOB"
check_shards "$JOB" $(seq "$SHARDS")

step "merge = single run"
"$CCSIM" merge "$T"/shards/shard-* --out "$T/merged"
same_as_single "$T/merged"
"$CCSIM" verify "$T/merged" --threads 2

step "merge refuses the set without shard $MISSING"
rm -rf "$T/shards/shard-$MISSING"
rc=0
"$CCSIM" merge "$T"/shards/shard-* --out "$T/incomplete" 2>"$T/merge.err" || rc=$?
cat "$T/merge.err"
[ "$rc" -eq 2 ] || fail "merge of an incomplete set exited $rc, not 2"
grep -q "shard $MISSING/$SHARDS missing" "$T/merge.err" || fail "merge did not name shard $MISSING/$SHARDS as missing"
[ ! -e "$T/incomplete/summary.csv" ] || fail "merge of an incomplete set wrote $T/incomplete/summary.csv"

step "shard $MISSING re-run alone (sbatch --array=$MISSING)"
JOB2=$(sbatch --parsable --array="$MISSING" "$T/job.sh")
JOB2=${JOB2%%;*}
echo "submitted job $JOB2"
wait_job "$JOB2"
check_shards "$JOB2" "$MISSING"

step "repaired merge = single run"
"$CCSIM" merge "$T"/shards/shard-* --out "$T/repaired"
same_as_single "$T/repaired"

echo "   ($(elapsed "$STEP_T") s)"
echo "== slurm test passed ($(elapsed "$T0") s in all)"
