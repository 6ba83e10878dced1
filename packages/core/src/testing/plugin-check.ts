import type { ConformanceCheck } from './conformance-options.js';
import type { ConformanceSubject } from './conformance-subject.js';

const REQUIRED = {
  id: 'string',
  description: 'string',
  defaultEncoder: 'string',
  sampleShape: 'function',
  load: 'function',
  decode: 'function',
} as const;

const OPTIONAL_METHODS = ['storesAsUint8', 'augment', 'augmentClasses', 'info'] as const;

/** The plugin loads into a container and provides the modality, with every member the contract requires. */
export function pluginCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: `loads into a container and provides the modality '${subject.options.modality}'`,
    async run() {
      const { modality } = await subject.loaded();
      const m = modality as unknown as Record<string, unknown>;
      const problems: string[] = [];
      for (const [key, type] of Object.entries(REQUIRED)) {
        if (typeof m[key] !== type) problems.push(`${key} is ${describe(m[key])}, expected a ${type}`);
      }
      for (const key of OPTIONAL_METHODS) {
        if (m[key] !== undefined && typeof m[key] !== 'function')
          problems.push(`${key} is ${describe(m[key])}, expected a function or nothing`);
      }
      const layouts = m['layouts'];
      if (!Array.isArray(layouts) || layouts.length === 0 || layouts.some((l) => typeof l !== 'string')) {
        problems.push(`layouts is ${describe(layouts)}, expected a non-empty array of layout ids`);
      }
      for (const key of ['preprocessSchema', 'augmentSchema']) {
        const schema = m[key] as { safeParse?: unknown } | undefined;
        if ((key === 'preprocessSchema' || schema !== undefined) && typeof schema?.safeParse !== 'function') {
          problems.push(`${key} is ${describe(schema)}, expected a zod schema`);
        }
      }
      if (problems.length > 0)
        throw new Error(
          `the '${modality.id}' modality of ${subject.label} breaks the contract: ${problems.join('; ')}`,
        );
    },
  };
}

function describe(x: unknown): string {
  if (x === undefined) return 'missing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return `a ${typeof x}`;
}
