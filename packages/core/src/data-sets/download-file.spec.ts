import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvHttpProxyAgent } from 'undici';
import { downloadFile } from './download-file.js';
import { zipOf } from './test-support.js';

describe('downloadFile', () => {
  it('goes through the proxy named by HTTP_PROXY (a proxy on 127.0.0.1 that answers itself)', async () => {
    const zip = await zipOf({ 'a/b.txt': Buffer.from('hello') });
    const seen: string[] = [];
    // the 'remote' server, reached only through the proxy's tunnel
    const origin = createServer((req, res) => {
      seen.push(`GET ${req.headers.host}${req.url}`);
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length }).end(zip);
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    const originPort = (origin.address() as AddressInfo).port;
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client) => {
      seen.push(`CONNECT ${req.url}`);
      const upstream = connect(originPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], NO_PROXY: process.env['NO_PROXY'], no_proxy: process.env['no_proxy'] };
    process.env['HTTP_PROXY'] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    delete process.env['NO_PROXY'];
    delete process.env['no_proxy'];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-proxy-'));
    try {
      const dest = path.join(dir, 'x.zip.part');
      // the host does not exist: only the proxy can answer
      const r = await downloadFile('http://archives.example.invalid/x.zip', dest, { attempts: 1, expectZip: true, dispatcher: new EnvHttpProxyAgent(), stallTimeoutMs: 5000 });
      expect(seen).toEqual(['CONNECT archives.example.invalid:80', 'GET archives.example.invalid/x.zip']);
      expect(r.bytes).toBe(zip.length);
      expect(readFileSync(dest)).toEqual(zip);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
      for (const s of [proxy, origin]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
