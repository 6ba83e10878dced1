import { builtinModules } from 'node:module';

/** npm's rules for a new package's name: what is wrong with `name`, one line per problem (empty when it is fine). */
export function packageNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length === 0) return ['the name is empty'];
  if (name.length > 214) problems.push(`it has ${name.length} characters, at most 214 are allowed`);
  if (name.trim() !== name) problems.push('it starts or ends with a space');
  if (name !== name.toLowerCase()) problems.push('it has capital letters');
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  if (name.startsWith('@') && !scoped) problems.push("a scoped name is '@scope/name'");
  const parts = scoped ? [scoped[1]!, scoped[2]!] : name.startsWith('@') ? [] : [name];
  for (const part of parts) {
    if (/^[._]/.test(part)) problems.push(`'${part}' starts with '${part[0]}'`);
    if (!/^[a-z0-9._~-]+$/i.test(part)) {
      const bad = [...new Set(part.replace(/[a-z0-9._~-]/gi, ''))].map((c) => `'${c}'`).join(' ');
      problems.push(`'${part}' has characters a package name cannot have: ${bad} (use letters, digits, '-', '.', '_')`);
    }
  }
  const base = scoped ? scoped[2]! : name;
  if (['node_modules', 'favicon.ico'].includes(base.toLowerCase())) problems.push(`'${base}' is a reserved name`);
  if (!scoped && builtinModules.includes(name)) problems.push(`'${name}' is the name of a Node.js core module`);
  return problems;
}

/** The package name without its scope: `@me/fewshot-vectors` -> `fewshot-vectors`. */
export function unscopedName(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

/**
 * The modality id of a generated plugin: the unscoped name without a leading `fewshot-`, `plugin-` or
 * `modality-` (`@me/fewshot-plugin-vectors` -> `vectors`), in lower-case letters, digits and '-'.
 */
export function modalityIdFor(name: string): string {
  let id = unscopedName(name).toLowerCase();
  for (let changed = true; changed;) {
    const next = id.replace(/^(fewshot|plugin|modality)[-._]/, '');
    changed = next !== id;
    id = next;
  }
  id = id.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return id === '' ? 'vectors' : id;
}
