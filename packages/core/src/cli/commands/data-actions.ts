// The actions of `fewshot data` (data-command.ts), loaded only when one of them runs.
import { createContainer } from '../../container.js';
import { ConfigError, DataError } from '../../errors.js';
import { SilentProgress, StreamProgress } from '../../progress.js';
import {
  DATA_SETS,
  SilentByteProgress,
  StreamByteProgress,
  boundMakers,
  checkClassFolders,
  dataSetPresence,
  fetchDataSet,
  findDataSet,
  formatBytes,
  formatCount,
  resolveDataDir,
  verifyDataSet,
  type DataSetEntry,
  type FetchedArchive,
  type VerifyReport,
} from '../../data-sets/index.js';
import type { CliIo } from '../command-context.js';
import type { DataArgs as Args } from './data-command.js';

export function list(args: Args, io: CliIo): void {
  const dataDir = resolveDataDir(args.dir);
  const rows = DATA_SETS.map((e) => ({ entry: e, status: dataSetPresence(e, dataDir) }));
  if (args.json) {
    const json = rows.map(({ entry: e, status }) => ({
      name: e.name,
      title: e.title,
      status,
      path: e.path,
      homepage: e.homepage,
      licence: e.licence,
      citation: e.citation,
      archives: e.archives.map((a) => ({
        url: a.url,
        fileName: a.fileName,
        bytes: a.bytes ?? null,
        md5: a.md5 ?? null,
        sha256: a.sha256 ?? null,
        checksumSource: a.checksumSource ?? null,
        target: a.target,
      })),
      derived: e.derived ?? null,
      expect:
        e.expect.kind === 'samples'
          ? { ...e.expect, sampleKey: undefined, sampleName: undefined, ignore: undefined }
          : e.expect,
      notes: e.notes ?? [],
    }));
    io.out.write(JSON.stringify({ dataDir, dataSets: json }, null, 2) + '\n');
    return;
  }
  const width = Math.max(...DATA_SETS.map((e) => e.name.length));
  const pathWidth = Math.max(...DATA_SETS.map((e) => e.path.length));
  const licenceWidth = Math.max(...DATA_SETS.map((e) => e.licence.length));
  const lines = [`data folder: ${dataDir}`];
  for (const { entry: e, status } of rows) {
    const source = e.derived
      ? `made from ${e.derived.from.join(', ')} (${e.derived.plugin})`
      : e.archives.map((a) => `${a.fileName}${a.md5 || a.sha256 ? '' : ' (no published checksum)'}`).join(', ');
    lines.push(
      `  ${e.name.padEnd(width)}  ${status.padEnd(7)}  ${e.path.padEnd(pathWidth)}  ${e.licence.padEnd(licenceWidth)}  ${source}`,
    );
  }
  lines.push('fetch with: fewshot data fetch NAME...; addresses, checksums and citations: fewshot data list --json');
  io.out.write(lines.join('\n') + '\n');
}

export async function fetch(args: Args, io: CliIo): Promise<void> {
  const entries = (args.names ?? []).map((n) => findDataSet(n));
  const dataDir = resolveDataDir(args.to);
  const retries = args.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0)
    throw new ConfigError(`--retries must be a whole number >= 0, got ${args.retries}`);
  if (!((args.timeout ?? 30) > 0)) throw new ConfigError(`--timeout must be > 0 seconds, got ${args.timeout}`);
  if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit > 0))
    throw new ConfigError(`--limit must be a whole number > 0, got ${args.limit}`);
  const mirror = args.mirror ?? (process.env['FEWSHOT_DATA_MIRROR'] || undefined);
  // the built-in plugins' makers are loaded when a data set is made; --plugin adds others
  const makers = args.plugin?.length
    ? boundMakers((await createContainer(args.plugin, process.cwd())).container)
    : undefined;
  for (const entry of entries) {
    const results = await fetchDataSet(entry, dataDir, {
      mirror,
      attempts: retries + 1,
      stallTimeoutMs: (args.timeout ?? 30) * 1000,
      progress: args.quiet ? new SilentByteProgress() : new StreamByteProgress(io.err),
      ...(makers ? { makers } : {}),
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
    });
    for (const r of results) io.out.write(fetchedLine(r));
  }
  io.out.write(
    `check with: fewshot data verify${entries.length === 1 ? ` ${entries[0]!.name}` : ''}${args.to ? ` --dir ${dataDir}` : ''}\n`,
  );
}

function fetchedLine(r: FetchedArchive): string {
  if (r.made) {
    const m = r.made;
    const counts = `${m.made} made, ${m.kept} kept from an earlier run, of ${m.samples}`;
    return r.status === 'partial'
      ? `made a subset: ${r.target} (${counts}; not moved into place: fetch again without --limit to finish)\n`
      : `made: ${r.target} (${counts})\n`;
  }
  const sum = r.checksum
    ? r.checksum.published
      ? `, ${r.checksum.algorithm} checked`
      : `, sha256 ${r.checksum.value} (none published)`
    : '';
  return `${r.status === 'fetched' ? 'fetched' : 'already present'}: ${r.target}${r.bytes ? ` (${formatBytes(r.bytes)}${sum})` : ''}\n`;
}

export async function verify(args: Args, io: CliIo): Promise<void> {
  const dataDir = resolveDataDir(args.dir);
  if (args.sample !== undefined && !(Number.isInteger(args.sample) && args.sample > 0))
    throw new ConfigError(`--sample must be a whole number > 0, got ${args.sample}`);
  let entries: DataSetEntry[];
  if (args.name) entries = [findDataSet(args.name)];
  else {
    entries = DATA_SETS.filter((e) => dataSetPresence(e, dataDir) !== 'missing');
    if (entries.length === 0)
      throw new DataError(`no supported data set in ${dataDir}`, {
        hints: ['fewshot data list shows them; fewshot data fetch NAME brings one'],
      });
  }
  const { registry } = await createContainer([], process.cwd());
  const progress = args.quiet || args.json ? new SilentProgress() : new StreamProgress(io.err);
  const reports: VerifyReport[] = [];
  for (const e of entries) {
    const r = await verifyDataSet(e, dataDir, {
      modality: (id) => registry.modality(id),
      sample: args.sample,
      progress,
    });
    reports.push(r);
    if (!args.json) io.out.write(formatReport(r));
  }
  if (args.json) io.out.write(JSON.stringify(reports, null, 2) + '\n');
  const failed = reports.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new DataError(`${failed.map((r) => r.name).join(', ')} did not pass verification`, {
      hints: ['a damaged or incomplete copy can be fetched again: remove its folder, then fewshot data fetch NAME'],
    });
  }
}

function formatReport(r: VerifyReport): string {
  const f = r.found;
  const counts = `${f.groups !== undefined ? `${formatCount(f.groups, 'group')}, ` : ''}${formatCount(f.classes, 'class')}, ${formatCount(f.files, 'file')}`;
  const lines = [
    `${r.name}: ${r.ok ? 'ok' : 'FAILED'}: ${counts}${r.expected ? ` (compared with: ${r.expected.label})` : ''}; ${r.decoded} decoded  [${r.path}]`,
  ];
  for (const p of r.problems) lines.push(`  ${p}`);
  for (const m of r.missing) lines.push(`  missing: ${m}`);
  for (const x of r.extra.slice(0, 20)) lines.push(`  extra: ${x}`);
  if (r.extra.length > 20) lines.push(`  ... and ${r.extra.length - 20} more extra files`);
  for (const d of r.damaged) lines.push(`  damaged: ${d.path}: ${d.reason}`);
  return lines.join('\n') + '\n';
}

export async function check(args: Args, io: CliIo): Promise<void> {
  for (const k of ['ways', 'shots', 'queries'] as const) {
    const v = args[k]!;
    if (!Number.isInteger(v) || v < (k === 'ways' ? 2 : 1))
      throw new ConfigError(`--${k} must be a whole number >= ${k === 'ways' ? 2 : 1}, got ${v}`);
  }
  const { registry } = await createContainer(args.plugin ?? [], process.cwd());
  const report = await checkClassFolders(args.path!, {
    modality: registry.modality(args.modality!),
    layout: args.layout,
    ways: args.ways!,
    shots: args.shots!,
    queries: args.queries!,
    progress: args.quiet || args.json ? new SilentProgress() : new StreamProgress(io.err),
  });
  if (args.json) io.out.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const need = args.shots! + args.queries!;
    const width = Math.max(5, ...report.classes.map((c) => c.label.length));
    const lines = [
      `${report.path}: ${report.classes.length} classes, ${report.classes.reduce((n, c) => n + c.samples, 0)} files`,
      `  ${'class'.padEnd(width)}  samples`,
    ];
    for (const c of report.classes) {
      const note =
        c.readable < need
          ? `  too small: ${c.readable} readable, an episode needs ${need} (shots ${args.shots} + queries ${args.queries})`
          : '';
      lines.push(`  ${c.label.padEnd(width)}  ${String(c.samples).padStart(7)}${note}`);
    }
    for (const u of report.unreadable) lines.push(`unreadable: ${u.path}: ${u.reason}`);
    for (const d of report.duplicates) lines.push(`identical files in different classes: ${d.join(', ')}`);
    lines.push(
      report.runnable
        ? `ok for ${args.ways}-way ${args.shots}-shot episodes with ${args.queries} quer${args.queries === 1 ? 'y' : 'ies'} per class`
        : `cannot run ${args.ways}-way ${args.shots}-shot episodes with ${args.queries} quer${args.queries === 1 ? 'y' : 'ies'} per class:`,
    );
    io.out.write(lines.join('\n') + '\n');
  }
  if (!report.runnable)
    throw new DataError(`${report.path} cannot be used with these settings`, { hints: [...report.advice] });
}
