import { gzipSync } from 'node:zlib';

/**
 * A .tar.gz of generated files (POSIX ustar). Small enough to write by hand, and entries get a
 * fixed mtime and owner so the same files always give the same bytes.
 */

const BLOCK = 512;

function header(path: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    // ustar splits long paths at a '/': directories in the prefix (≤ 155 bytes), the file
    // name (≤ 100) in the name field. result.ts keeps every stored path within both.
    const cut = path.lastIndexOf('/');
    if (cut === -1 || cut > 155 || path.length - cut - 1 > 100) {
      throw new Error(`path too long for a tar entry: ${path.slice(0, 60)}…`);
    }
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`;
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum placeholder: spaces while summing
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

export function tarGz(
  files: Array<{ path: string; content: string }>,
  options: { root: string; mtime: Date },
): Uint8Array {
  const mtime = Math.floor(options.mtime.getTime() / 1000);
  const parts: Buffer[] = [];
  for (const file of files) {
    const body = Buffer.from(file.content, 'utf8');
    parts.push(header(`${options.root}/${file.path}`, body.length, mtime), body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts));
}
