// Builds the browser console into dist/console, which the server serves at / (no dev server, nothing from the internet).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { precompressPlugin } from './precompress.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  // Brotli and gzip copies of every text file, served as they are by src/http/console-files.ts.
  plugins: [preact(), precompressPlugin()],
  build: { outDir: path.resolve(here, '../dist/console'), emptyOutDir: true, target: 'es2022', reportCompressedSize: true },
});
