// Builds the browser console into dist/console, which the server serves at / (no dev server, nothing from the internet).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  plugins: [preact()],
  build: { outDir: path.resolve(here, '../dist/console'), emptyOutDir: true, target: 'es2022', reportCompressedSize: true },
});
