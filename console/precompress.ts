// A vite build step: every text file of the built console (JS, CSS, HTML, SVG, JSON) gets a brotli (.br, quality 11)
// and a gzip (.gz, level 9) copy beside it, written once at build time, so the server sends compressed files without
// compressing per request (src/http/console-files.ts). A copy that would not be smaller is not written.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Plugin } from 'vite';

const TEXT = /\.(js|mjs|css|html|svg|json|txt)$/;

export function precompress(dir: string): { file: string; raw: number; br?: number; gz?: number }[] {
  const out: { file: string; raw: number; br?: number; gz?: number }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (TEXT.test(e.name)) out.push(compressOne(p));
    }
  };
  walk(dir);
  return out;
}

function compressOne(file: string) {
  const raw = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } });
  const gz = zlib.gzipSync(raw, { level: 9 });
  const r: { file: string; raw: number; br?: number; gz?: number } = { file, raw: raw.length };
  for (const [ext, data] of [['.br', br], ['.gz', gz]] as const) {
    fs.rmSync(file + ext, { force: true });
    if (data.length >= raw.length) continue;
    fs.writeFileSync(file + ext, data);
    r[ext === '.br' ? 'br' : 'gz'] = data.length;
  }
  return r;
}

/** The vite plugin: precompresses the output directory once the bundle is written. */
export function precompressPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'hotline-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = path.resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      precompress(outDir);
    },
  };
}
