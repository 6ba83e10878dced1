// yazl 3 (zip writing, tests only) has no @types package: the parts used here. yauzl's types come from @types/yauzl.
declare module 'yazl' {
  import type { Readable } from 'node:stream';
  export class ZipFile {
    readonly outputStream: Readable;
    addBuffer(buffer: Buffer, metadataPath: string, options?: { compress?: boolean }): void;
    addEmptyDirectory(metadataPath: string): void;
    end(): void;
  }
}
