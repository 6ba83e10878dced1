import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '../tfjs.js';
import type { LoadedPlugin } from '../plugin-loader.js';
import { check, firstLine, type DoctorCheck } from './doctor-check.js';

/** Oldest Node major version fewshot supports (package.json `engines`). */
export const MIN_NODE_MAJOR = 20;

/** Node's version against the supported range: an error when it is too old. */
export function checkNode(version = process.versions.node): DoctorCheck {
  const major = Number(version.split('.')[0]);
  const facts = {
    version,
    minimum: MIN_NODE_MAJOR,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
  };
  const details = [`${facts.platform}, ${facts.cpus} CPU core(s)`];
  if (!(major >= MIN_NODE_MAJOR)) {
    return check('node', 'error', `Node ${version} is too old: fewshot needs Node ${MIN_NODE_MAJOR} or later`, {
      details,
      fixes: [`install Node ${MIN_NODE_MAJOR} or later (https://nodejs.org, or nvm install ${MIN_NODE_MAJOR})`],
      facts,
    });
  }
  return check('node', 'ok', `Node ${version} (${MIN_NODE_MAJOR} or later needed)`, { details, facts });
}

/** Version of the package whose package.json is at or above `file` (a module of it), if found. */
export function packageVersionAt(file: string): { name: string; version: string } | undefined {
  let dir = path.dirname(file.startsWith('file:') ? new URL(file).pathname : file);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name && pkg.version) return { name: pkg.name, version: pkg.version };
    } catch {
      // no package.json here: look further up
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * fewshot's packages, tfjs, and the plugins that loaded (with their versions), or the plugin that did
 * not load: an error, since nothing that needs the plugins can run.
 */
export function checkPackages(plugins: readonly LoadedPlugin[] | Error): DoctorCheck {
  const core = packageVersionAt(import.meta.url);
  const lines = [`${core?.name ?? '@fewshot/core'} ${core?.version ?? '?'}`, `@tensorflow/tfjs ${tf.version.tfjs}`];
  if (plugins instanceof Error) {
    const hints = (plugins as { hints?: string[] }).hints ?? [];
    return check('packages', 'error', `a plugin could not be loaded: ${firstLine(plugins)}`, {
      details: [...lines, ...hints],
      fixes: [
        'reinstall fewshot (npm install) if it is a built-in plugin; otherwise fix or remove that plugin',
        'see `fewshot plugins` for what loads',
      ],
      facts: { core: core?.version ?? null, tfjs: tf.version.tfjs, pluginError: firstLine(plugins) },
    });
  }
  const list = plugins.map((p) => {
    const pkg = packageVersionAt(p.resolved);
    return {
      spec: p.spec,
      builtin: p.builtin,
      version: pkg && (p.builtin || pkg.name === p.spec) ? pkg.version : null,
      resolved: p.resolved,
    };
  });
  for (const p of list)
    lines.push(`${p.spec} ${p.version ?? ''}${p.builtin ? ' (built-in)' : ` (${p.resolved})`}`.replace(/ +/g, ' '));
  return check(
    'packages',
    'ok',
    `fewshot ${core?.version ?? '?'} with ${list.length} plugin(s), tfjs ${tf.version.tfjs}`,
    {
      details: lines,
      facts: { core: core?.version ?? null, tfjs: tf.version.tfjs, plugins: list },
    },
  );
}
