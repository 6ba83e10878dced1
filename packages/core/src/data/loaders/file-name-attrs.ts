import { z } from 'zod';

/** Attributes of one sample taken from its file name (`0709_17.png` -> `{ drawer: '17' }`), or undefined for none. */
export type FileNameAttrs = (name: string) => Record<string, string> | undefined;

/** A config string that must be a valid regular expression; a bad one fails parsing with the key named. */
export function regexOption(): z.ZodString {
  return z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      try {
        new RegExp(source);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
      }
    });
}

/** The named groups of a regular expression's source, in order: `(?<digit>\d)_(?<speaker>...)` -> digit, speaker. */
export function groupNames(source: string): string[] {
  return [...source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
}

/** The defined named groups of a match, or undefined when there are none. */
export function groupsOf(m: RegExpExecArray | null): Record<string, string> | undefined {
  if (!m?.groups) return undefined;
  const entries = Object.entries(m.groups).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * Attributes from the named groups of `pattern` matched on the file name: with `^(?<digit>\d)_(?<speaker>[a-z]+)_`,
 * FSDD's `7_jackson_32.wav` gives `{ digit: '7', speaker: 'jackson' }`. A name it does not match gives none.
 */
export function patternAttrs(pattern: RegExp): FileNameAttrs {
  return (name) => groupsOf(pattern.exec(name));
}

/** One attribute: the part of the file's stem after its last `_` (Omniglot's drawer: `0709_17.png` -> `17`), '' without one. */
export function suffixAttr(attr: string): FileNameAttrs {
  return (name) => ({ [attr]: nameSuffix(name) });
}

/** The part of a file's stem after its last `_` (`0683_17.mp4` -> `17`), or '' without one. */
export function nameSuffix(file: string): string {
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  const underscore = stem.lastIndexOf('_');
  return underscore >= 0 ? stem.slice(underscore + 1) : '';
}
