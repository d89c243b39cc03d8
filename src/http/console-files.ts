// Serves the built browser console (dist/console): the page and its hashed assets, compressed. The build writes a
// brotli and a gzip copy of every text file beside it (console/precompress.ts); this sends the copy the browser
// accepts (brotli first), with the original's type, `Content-Encoding` and `Vary: Accept-Encoding`, and falls back to
// the file itself. Hashed assets are cached for a year (immutable), the page is revalidated every time (no-cache).
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Response } from 'express';

export type ContentCoding = 'br' | 'gzip';

/** The copies a file has, by its path under the served directory ("index-abc.js"). */
type Copies = Map<string, ContentCoding[]>;

const SUFFIX: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

/**
 * The content coding to send for an Accept-Encoding header, among the ones a file has: brotli before gzip, unless
 * the client ranks gzip higher; a coding (or `*`) with q=0 is refused; none when the client accepts neither.
 */
export function chooseEncoding(acceptEncoding: string | undefined, available: readonly ContentCoding[]): ContentCoding | undefined {
  if (!acceptEncoding || !available.length) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const weight = (c: ContentCoding) => q.get(c) ?? (c === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
  let best: ContentCoding | undefined;
  for (const c of ['br', 'gzip'] as const) {
    if (!available.includes(c) || weight(c) <= 0) continue;
    if (!best || weight(c) > weight(best)) best = c;
  }
  return best;
}

/** Every file under `dir` that has compressed copies beside it, with the codings it has. */
function findCopies(dir: string): Copies {
  const copies: Copies = new Map();
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        walk(path.join(d, e.name), `${rel}${e.name}/`);
        continue;
      }
      for (const c of ['br', 'gzip'] as const) {
        if (!e.name.endsWith(SUFFIX[c])) continue;
        const original = `${rel}${e.name.slice(0, -SUFFIX[c].length)}`;
        if (!fs.existsSync(path.join(dir, original))) continue;
        copies.set(original, [...(copies.get(original) ?? []), c].sort((a, b) => (a === 'br' ? -1 : b === 'br' ? 1 : 0)));
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return copies;
}

interface SendOptions {
  /** Cache-Control for the file: a year and immutable for hashed assets, revalidation for the page. */
  cache: { maxAge: string; immutable: boolean } | 'no-cache';
}

/**
 * Sends `rel` (a path under `dir`) compressed when the client takes one of its copies; otherwise calls `fallback`
 * (express.static or sendFile of the original). `Vary: Accept-Encoding` goes on both, so a shared cache keeps them apart.
 */
function sendCompressed(dir: string, copies: Copies, rel: string, o: SendOptions, req: express.Request, res: Response, fallback: () => void): void {
  const have = copies.get(rel);
  if (!have) return fallback();
  res.vary('Accept-Encoding');
  const coding = chooseEncoding(req.headers['accept-encoding'], have);
  if (!coding) return fallback();
  res.type(path.extname(rel));
  res.set('Content-Encoding', coding);
  const cache = o.cache === 'no-cache' ? { cacheControl: false } : { maxAge: o.cache.maxAge, immutable: o.cache.immutable };
  if (o.cache === 'no-cache') res.set('Cache-Control', 'no-cache');
  res.sendFile(path.join(dir, rel + SUFFIX[coding]), { ...cache, dotfiles: 'deny' }, (err) => {
    if (!err || res.headersSent) return;
    // The copy went away (a rebuild while running): send the original instead.
    res.removeHeader('Content-Encoding');
    fallback();
  });
}

/** The console's routes: GET / (the page) and /assets/* (hashed files), compressed when the browser takes it. */
export function consoleFiles(consoleDir: string): express.Router {
  const router = express.Router();
  const assetsDir = path.join(consoleDir, 'assets');
  const assetCopies = findCopies(assetsDir);
  const pageCopies = findCopies(consoleDir);
  const index = path.join(consoleDir, 'index.html');
  const assetCache = { maxAge: '365d', immutable: true };
  const serveStatic = express.static(assetsDir, { ...assetCache, index: false });
  const assets: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(req.path).replace(/^\/+/, '');
    } catch {
      return next();
    }
    sendCompressed(assetsDir, assetCopies, rel, { cache: assetCache }, req, res, () => serveStatic(req, res, next));
  };
  router.use('/assets', assets);
  router.get('/', (req, res) => {
    sendCompressed(consoleDir, pageCopies, 'index.html', { cache: 'no-cache' }, req, res, () => res.set('Cache-Control', 'no-cache').sendFile(index));
  });
  return router;
}
