// Test helpers (not exported from the package): zip archives built in memory and a local HTTP server
// on 127.0.0.1 that misbehaves on request. Used by the data-set specs and by test/data-*.test.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZipFile } from 'yazl';

/** A zip archive of the given files (`a/b.png` -> bytes), built with yazl. */
export async function zipOf(files: Readonly<Record<string, Buffer>>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, data] of Object.entries(files)) zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * How the server answers a path: `ok` (with Range support), `no-range` (always the whole file, 200),
 * `cut` (the first answer breaks off after `cutAt` bytes, later ones are `ok`), `stall` (headers and
 * `cutAt` bytes, then silence), `html` (an HTML quota page, content-type text/html), `html-as-zip`
 * (an HTML page sent as application/zip). Unknown paths are 404.
 */
export type Behaviour = 'ok' | 'no-range' | 'cut' | 'stall' | 'html' | 'html-as-zip';

export interface TestServer {
  readonly url: string;
  /** Every request: path and Range header. */
  readonly requests: { path: string; range: string | undefined }[];
  close(): Promise<void>;
}

/** Serve `files` (path -> body and behaviour) on 127.0.0.1 at a free port. */
export async function serveFiles(
  files: Readonly<Record<string, { body: Buffer; behaviour?: Behaviour; cutAt?: number }>>,
): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const served = new Map<string, number>();
  const html = Buffer.from(
    '<!DOCTYPE html>\n<html><head><title>Quota exceeded</title></head><body>Download quota exceeded</body></html>\n',
  );
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const range = req.headers.range;
    requests.push({ path, range });
    const file = files[path];
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const n = (served.get(path) ?? 0) + 1;
    served.set(path, n);
    const behaviour = file.behaviour ?? 'ok';
    const body = file.body;
    if (behaviour === 'html' || behaviour === 'html-as-zip') {
      res
        .writeHead(200, {
          'content-type': behaviour === 'html' ? 'text/html; charset=utf-8' : 'application/zip',
          'content-length': html.length,
        })
        .end(html);
      return;
    }
    const cutAt = file.cutAt ?? Math.floor(body.length / 2);
    if (behaviour === 'stall') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length });
      res.write(body.subarray(0, cutAt));
      return; // never ends; the client's stall timeout gives up
    }
    const m = /^bytes=(\d+)-$/.exec(range ?? '');
    if (m && behaviour !== 'no-range') {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-type': 'application/zip',
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': body.length,
      'accept-ranges': behaviour === 'no-range' ? 'none' : 'bytes',
    });
    if (behaviour === 'cut' && n === 1) {
      // break off before the promised length, once the client has had time to read what was sent (an
      // errored web stream drops the chunks it still holds, as it would on a real network)
      res.write(body.subarray(0, cutAt), () => setTimeout(() => res.socket?.destroy(), 150));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
