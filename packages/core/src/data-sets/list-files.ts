import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Every file below `dir` (absolute paths, sorted), following no symbolic links to folders; hidden entries skipped. */
export async function listFilesDeep(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    await Promise.all(
      entries.map(async (e) => {
        if (e.name.startsWith('.')) return;
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else out.push(p);
      }),
    );
  };
  await walk(dir);
  return out.sort();
}
