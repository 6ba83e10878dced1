#!/usr/bin/env bash
#SBATCH --job-name=fewshot-bench
#SBATCH --array=0-2
#SBATCH --cpus-per-task=1
#SBATCH --output=fewshot-bench-%A_%a.out
#
# One shard of a fewshot bench per task of a Slurm job array. Slurm sets SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT, and `fewshot bench` takes its shard (i of n) from them. The array must be
# 0-N without gaps (N + 1 shards); each shard writes OUT/shard-<i>/, then merge them (a job that
# waits for the whole array):
#
#   export BENCH=$PWD/config/bench/cross-domain.yaml OUT=/shared/bench/cross-domain
#   jid=$(sbatch --parsable --array=0-2 deploy/slurm/bench-array.sh)
#   sbatch --dependency=afterok:$jid --kill-on-invalid-dep=yes --wrap 'fewshot bench merge "$OUT"/shard-* --out "$OUT/merged"'
#
# sbatch passes the submitting environment on (BENCH, OUT, FEWSHOT_DATA, FEWSHOT_CACHE, ...).
# BENCH, OUT and the data (FEWSHOT_DATA) must be on a filesystem every node sees. FEWSHOT names the
# command (default `fewshot`; e.g. FEWSHOT="node /opt/fewshot/packages/core/dist/cli/bin.js").
# A shard that is resubmitted resumes: finished cells in OUT/shard-<i>/cells are not rerun.
set -euo pipefail

: "${BENCH:?set BENCH to the bench file (on a filesystem every node sees)}"
: "${OUT:?set OUT to the output folder on the shared volume}"
: "${SLURM_ARRAY_TASK_ID:?submit this script as a job array: sbatch --array=0-N}"
read -r -a fewshot <<< "${FEWSHOT:-fewshot}"

mkdir -p "$OUT"
echo "fewshot bench shard ${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT:-?} of $BENCH on $(hostname) into $OUT/shard-$SLURM_ARRAY_TASK_ID"
exec "${fewshot[@]}" bench "$BENCH" --out "$OUT/shard-$SLURM_ARRAY_TASK_ID"
