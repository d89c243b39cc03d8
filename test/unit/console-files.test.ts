// The console's compressed files: which coding a browser gets (Accept-Encoding with q-values), and the build step
// that writes the brotli and gzip copies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { chooseEncoding } from '../../src/http/console-files';
import { precompress } from '../../console/precompress';

describe('console files: content coding and precompression', () => {
  describe('chooseEncoding', () => {
    const both = ['br', 'gzip'] as const;
    it('prefers brotli, then gzip, among what the browser accepts and the file has', () => {
      expect(chooseEncoding('gzip, deflate, br, zstd', both)).to.equal('br'); // Chromium's header
      expect(chooseEncoding('gzip, deflate', both)).to.equal('gzip');
      expect(chooseEncoding('br', ['gzip'])).to.equal(undefined);
      expect(chooseEncoding('gzip, br', ['gzip'])).to.equal('gzip');
      expect(chooseEncoding(undefined, both)).to.equal(undefined);
      expect(chooseEncoding('identity', both)).to.equal(undefined);
      expect(chooseEncoding('br', [])).to.equal(undefined);
    });
    it('follows q-values: q=0 refuses a coding, a higher q wins, * covers the rest', () => {
      expect(chooseEncoding('br;q=0, gzip', both)).to.equal('gzip');
      expect(chooseEncoding('br;q=0.5, gzip;q=0.9', both)).to.equal('gzip');
      expect(chooseEncoding('BR; Q=1.0, GZIP;q=0.1', both)).to.equal('br');
      expect(chooseEncoding('*', both)).to.equal('br');
      expect(chooseEncoding('*;q=0', both)).to.equal(undefined);
      expect(chooseEncoding('gzip;q=0, *', both)).to.equal('br');
      expect(chooseEncoding('br;q=0, *', ['br', 'gzip'])).to.equal('gzip');
      expect(chooseEncoding('x-gzip', both)).to.equal('gzip');
      expect(chooseEncoding('br;q=abc, gzip', both)).to.equal('gzip');
    });
  });

  describe('precompress (the build step)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'precompress-'));
      fs.mkdirSync(path.join(dir, 'assets'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('writes a brotli and a gzip copy of each text file that decompress to it, and none of what would not shrink', () => {
      const js = 'export const x = () => "hello console";\n'.repeat(400);
      fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), js);
      fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html>${'<div></div>'.repeat(50)}`);
      fs.writeFileSync(path.join(dir, 'assets', 'tiny-abc.css'), 'a{}');
      fs.writeFileSync(path.join(dir, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      const out = precompress(dir);
      const js2 = path.join(dir, 'assets', 'index-abc.js');
      expect(zlib.brotliDecompressSync(fs.readFileSync(`${js2}.br`)).toString()).to.equal(js);
      expect(zlib.gunzipSync(fs.readFileSync(`${js2}.gz`)).toString()).to.equal(js);
      expect(fs.statSync(`${js2}.br`).size).to.be.lessThan(fs.statSync(`${js2}.gz`).size).and.lessThan(js.length / 10);
      expect(fs.existsSync(path.join(dir, 'index.html.br'))).to.equal(true);
      // Three bytes do not shrink: no copies. Images are not text: left alone.
      expect(fs.existsSync(path.join(dir, 'assets', 'tiny-abc.css.br'))).to.equal(false);
      expect(fs.existsSync(path.join(dir, 'assets', 'tiny-abc.css.gz'))).to.equal(false);
      expect(fs.existsSync(path.join(dir, 'assets', 'logo.png.br'))).to.equal(false);
      expect(out.map((o) => path.relative(dir, o.file)).sort()).to.deep.equal(['assets/index-abc.js', 'assets/tiny-abc.css', 'index.html']);
      // Run again (a rebuild): the same files, no copies of copies.
      precompress(dir);
      expect(fs.readdirSync(path.join(dir, 'assets')).sort()).to.deep.equal(['index-abc.js', 'index-abc.js.br', 'index-abc.js.gz', 'logo.png', 'tiny-abc.css']);
    });
  });
});
