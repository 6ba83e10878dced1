import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/**
 * Maps data paths (as reported by zod) back to where they were written: a line and column in the
 * YAML source, or the `--set` override that put the value there.
 */

/** A `--set` override that produced a node of the document. */
export interface OverrideOrigin {
  /** The override as given, e.g. `train.epochs=5`. */
  text: string;
  /** Its position in the override list. */
  index: number;
}

export type SourceLocation =
  | { kind: 'file'; file: string; line: number; col: number; offset: number }
  | { kind: 'override'; override: OverrideOrigin }
  | { kind: 'unknown'; file: string };

/** Whether the location names the key itself or the value written for it. */
export type LocationTarget = 'key' | 'value';

/** `file:line:col`, `--set a.b=1` or just the file. */
export function formatLocation(loc: SourceLocation): string {
  switch (loc.kind) {
    case 'file':
      return `${loc.file}:${loc.line}:${loc.col}`;
    case 'override':
      return `--set ${loc.override.text}`;
    case 'unknown':
      return loc.file;
  }
}

/** Sort key: file positions first (in source order), then overrides (in the order given), then the rest. */
export function locationOrder(loc: SourceLocation): [number, number] {
  switch (loc.kind) {
    case 'file':
      return [0, loc.offset];
    case 'override':
      return [1, loc.override.index];
    case 'unknown':
      return [2, 0];
  }
}

export class YamlLocator {
  /** Nodes created by `--set` overrides (values, created keys and intermediate maps). */
  readonly origins = new Map<unknown, OverrideOrigin>();

  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    readonly file: string,
  ) {}

  /** The location of a node of the document (its start), or of the override that created it. */
  nodeLocation(node: unknown): SourceLocation {
    const origin = this.origins.get(node);
    if (origin) return { kind: 'override', override: origin };
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    if (!range) return { kind: 'unknown', file: this.file };
    const { line, col } = this.lineCounter.linePos(range[0]);
    return { kind: 'file', file: this.file, line, col, offset: range[0] };
  }

  /**
   * Where the key or value at `path` was written. Walks the document from the root and reports the
   * deepest node found that has a position (nodes made by an override have none of their own, so
   * the override that created the subtree is reported). A missing key yields its deepest ancestor.
   */
  locate(path: readonly PropertyKey[], target: LocationTarget = 'value'): SourceLocation {
    let node: unknown = this.doc.contents;
    let best: SourceLocation = this.nodeLocation(node);
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const key = path[i]!;
      const last = i === path.length - 1;
      let keyNode: unknown;
      let valueNode: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(key));
        if (!pair) return best;
        keyNode = pair.key;
        valueNode = pair.value;
      } else if (isSeq(node) && typeof key !== 'symbol' && /^\d+$/.test(String(key))) {
        valueNode = node.items[Number(key)];
        if (valueNode === undefined) return best;
      } else {
        return best;
      }
      const keyLoc: SourceLocation =
        keyNode === undefined ? { kind: 'unknown', file: this.file } : this.nodeLocation(keyNode);
      if (last && target === 'key' && keyLoc.kind !== 'unknown') return keyLoc;
      const valueLoc = this.nodeLocation(valueNode);
      // `key:` with nothing after it has no useful position of its own: point at the key instead.
      const emptyValue = isScalar(valueNode) && valueNode.value === null;
      if (valueLoc.kind === 'override' || (valueLoc.kind === 'file' && !emptyValue)) best = valueLoc;
      else if (keyLoc.kind !== 'unknown') best = keyLoc;
      else if (valueLoc.kind === 'file') best = valueLoc;
      node = valueNode;
    }
    return best;
  }
}

/** The text of a map key as it appears in the data (`toJS` turns keys into strings). */
export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return undefined;
  return typeof key === 'object' ? String((key as Node).toJSON()) : String(key as string | number | boolean | bigint);
}
