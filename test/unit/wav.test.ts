import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { WaveFile } from '../support/wavefile';
import { WavFormatError, decodeWav, encodeDualChannelWav, encodePcm16Wav, interleavedWav, readWavFile, wavInfo } from '../../src/recordings/wav';

const ramp = (n: number, step: number, from = 0) => Int16Array.from({ length: n }, (_, i) => ((from + i * step + 32768) % 65536) - 32768);

function fromWavefile(channels: Int16Array[], sampleRate: number, convert?: (wf: WaveFile) => void): Uint8Array {
  const wf = new WaveFile();
  wf.fromScratch(channels.length, sampleRate, '16', channels.length === 1 ? channels[0] : channels);
  convert?.(wf);
  return wf.toBuffer();
}

describe('WAV reading and writing', () => {
  it('writes a dual-channel 16-bit PCM WAV that reads back sample for sample, through a file', async () => {
    const customer = ramp(8000 * 3, 7, -32768);
    const agent = ramp(8000 * 3, -13, 12345);
    const bytes = encodeDualChannelWav(customer, agent, 8000);
    expect(bytes.length).to.equal(44 + 8000 * 3 * 4);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wav-'));
    try {
      const file = path.join(dir, 'call.wav');
      fs.writeFileSync(file, bytes);
      const wav = await readWavFile(file);
      expect(wav.sampleRate).to.equal(8000);
      expect(wav.encoding).to.equal('pcm16');
      expect(wav.durationSeconds).to.equal(3);
      expect(wav.channels).to.have.length(2);
      expect(Buffer.from(wav.channels[0].buffer).equals(Buffer.from(customer.buffer))).to.equal(true);
      expect(Buffer.from(wav.channels[1].buffer).equals(Buffer.from(agent.buffer))).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes what another reader (wavefile) reads: format, rate, channels, samples', () => {
    const a = ramp(100, 301);
    const b = ramp(100, -97);
    const wf = new WaveFile(encodeDualChannelWav(a, b, 8000));
    expect(wf.fmt).to.include({ audioFormat: 1, numChannels: 2, sampleRate: 8000, bitsPerSample: 16, blockAlign: 4, byteRate: 32000 });
    const [ra, rb] = wf.getSamples(false, Int16Array) as unknown as Int16Array[];
    expect(Array.from(ra)).to.deep.equal(Array.from(a));
    expect(Array.from(rb)).to.deep.equal(Array.from(b));
  });

  it('pads a shorter channel with silence', () => {
    const wav = decodeWav(encodeDualChannelWav(new Int16Array([1, 2, 3]), new Int16Array([9]), 8000));
    expect(Array.from(wav.channels[0])).to.deep.equal([1, 2, 3]);
    expect(Array.from(wav.channels[1])).to.deep.equal([9, 0, 0]);
  });

  it('reads mono and any sample rate', () => {
    const mono = ramp(441, 77);
    const wav = decodeWav(encodePcm16Wav(44100, [mono]));
    expect(wav.sampleRate).to.equal(44100);
    expect(wav.channels).to.have.length(1);
    expect(Array.from(wav.channels[0])).to.deep.equal(Array.from(mono));
    expect(wav.durationSeconds).to.equal(0.01);
  });

  it('decodes every µ-law and A-law byte as wavefile (G.711) does', () => {
    // All 65536 16-bit values through each codec: every one of the 256 codes comes out, and both decoders must agree.
    const all = ramp(65536, 1, -32768);
    for (const [encoding, convert, back] of [
      ['mulaw', (wf: WaveFile) => wf.toMuLaw(), (wf: WaveFile) => wf.fromMuLaw('16')],
      ['alaw', (wf: WaveFile) => wf.toALaw(), (wf: WaveFile) => wf.fromALaw('16')],
    ] as const) {
      const bytes = fromWavefile([all, all.slice().reverse()], 8000, convert);
      const info = wavInfo(bytes);
      expect(info).to.include({ encoding, channels: 2, bitsPerSample: 8, frames: 65536, sampleRate: 8000 });
      const ours = decodeWav(bytes);
      const theirs = new WaveFile(bytes);
      back(theirs);
      const [t0, t1] = theirs.getSamples(false, Int16Array) as unknown as Int16Array[];
      expect(Array.from(ours.channels[0]), encoding).to.deep.equal(Array.from(t0));
      expect(Array.from(ours.channels[1]), encoding).to.deep.equal(Array.from(t1));
      expect(new Set(ours.channels[0]).size, encoding).to.be.above(250);
    }
  });

  it('decodes other PCM depths (8-bit, 24-bit) through wavefile to 16 bits', () => {
    const src = Int16Array.from([0, 256, -256, 32512, -32768]);
    for (const depth of ['8', '24'] as const) {
      const bytes = fromWavefile([src, src], 8000, (wf) => wf.toBitDepth(depth));
      const wav = decodeWav(bytes);
      expect(wav.encoding).to.equal('other');
      expect(wav.channels).to.have.length(2);
      Array.from(wav.channels[1]).forEach((x, i) => expect(x, `${depth}-bit sample ${i}`).to.be.closeTo(src[i], 256));
    }
  });

  it('skips chunks it does not need, before and after the data', () => {
    const plain = encodeDualChannelWav(new Int16Array([100, 200]), new Int16Array([-100, -200]), 8000);
    const list = Buffer.concat([Buffer.from('LIST'), u32(5), Buffer.from('INFOx'), Buffer.alloc(1)]); // odd size: padded
    const withChunks = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36), Buffer.from('junk'), u32(0)]);
    withChunks.writeUInt32LE(withChunks.length - 8, 4);
    const wav = decodeWav(withChunks);
    expect(Array.from(wav.channels[0])).to.deep.equal([100, 200]);
    expect(Array.from(wav.channels[1])).to.deep.equal([-100, -200]);
  });

  it('reads unaligned memory (a WAV inside a larger buffer at an odd offset)', () => {
    const plain = encodeDualChannelWav(new Int16Array([1, -2, 3]), new Int16Array([-4, 5, -6]), 8000);
    const holder = Buffer.alloc(plain.length + 1);
    plain.copy(holder, 1);
    const wav = decodeWav(holder.subarray(1));
    expect(Array.from(wav.channels[1])).to.deep.equal([-4, 5, -6]);
  });

  it('trusts the file over a data size that is too large (a streamed or cut-off file), dropping a partial frame', () => {
    const plain = encodeDualChannelWav(new Int16Array([1, 2, 3]), new Int16Array([4, 5, 6]), 8000);
    plain.writeUInt32LE(0xffffffff, 40);
    const cut = plain.subarray(0, plain.length - 2); // the last frame lost its second channel
    const wav = decodeWav(cut);
    expect(Array.from(wav.channels[0])).to.deep.equal([1, 2]);
    expect(Array.from(wav.channels[1])).to.deep.equal([4, 5]);
  });

  describe('interleavedWav (for analysis in place)', () => {
    it('gives 16-bit PCM as a view of the file itself, frame after frame', () => {
      const bytes = encodeDualChannelWav(new Int16Array([1, 2, 3]), new Int16Array([-1, -2, -3]), 8000);
      const wav = interleavedWav(bytes);
      expect(wav).to.include({ sampleRate: 8000, channelCount: 2, encoding: 'pcm16', inPlace: true, durationSeconds: 3 / 8000 });
      expect(Array.from(wav.interleaved)).to.deep.equal([1, -1, 2, -2, 3, -3]);
      expect(wav.interleaved.buffer).to.equal(bytes.buffer);
      bytes.writeInt16LE(1000, 44); // the same memory: no copy was made
      expect(wav.interleaved[0]).to.equal(1000);
    });

    it('decodes µ-law, A-law, other depths and unaligned memory into a new array, as decodeWav does', () => {
      const a = ramp(4000, 17);
      const b = ramp(4000, -29);
      const inputs: Uint8Array[] = [
        fromWavefile([a, b], 8000, (wf) => wf.toMuLaw()),
        fromWavefile([a, b], 8000, (wf) => wf.toALaw()),
        fromWavefile([a, b], 8000, (wf) => wf.toBitDepth('24')),
      ];
      const plain = encodeDualChannelWav(a, b, 8000);
      const odd = Buffer.alloc(plain.length + 1);
      plain.copy(odd, 1);
      inputs.push(odd.subarray(1));
      for (const bytes of inputs) {
        const wav = interleavedWav(bytes);
        const { channels } = decodeWav(bytes);
        expect(wav.inPlace, wav.encoding).to.equal(false);
        expect(Array.from(wav.interleaved.filter((_, i) => i % 2 === 0)), wav.encoding).to.deep.equal(Array.from(channels[0]));
        expect(Array.from(wav.interleaved.filter((_, i) => i % 2 === 1)), wav.encoding).to.deep.equal(Array.from(channels[1]));
      }
    });
  });

  it('an empty data chunk gives empty channels', () => {
    const wav = decodeWav(encodeDualChannelWav(new Int16Array(0), new Int16Array(0), 8000));
    expect(wav.channels.map((c) => c.length)).to.deep.equal([0, 0]);
    expect(wav.durationSeconds).to.equal(0);
  });

  it('refuses what is not a WAV it can read, saying why', () => {
    expect(() => decodeWav(new Uint8Array(0))).to.throw(WavFormatError, /shorter than a RIFF header/);
    expect(() => decodeWav(Buffer.from('ID3\u0004 this is an mp3 file'))).to.throw(WavFormatError, /instead of "RIFF"/);
    expect(() => decodeWav(Buffer.concat([Buffer.from('RIFF'), u32(4), Buffer.from('AVI ')]))).to.throw(WavFormatError, /"AVI "/);
    expect(() => decodeWav(Buffer.concat([Buffer.from('RIFF'), u32(4), Buffer.from('WAVE')]))).to.throw(WavFormatError, /no fmt chunk/);
    const noData = encodeDualChannelWav(new Int16Array(0), new Int16Array(0), 8000).subarray(0, 36);
    expect(() => decodeWav(noData)).to.throw(WavFormatError, /no data chunk/);
    const adpcm = Buffer.from(encodeDualChannelWav(new Int16Array(4), new Int16Array(4), 8000));
    adpcm.writeUInt16LE(17, 20); // IMA ADPCM
    expect(() => decodeWav(adpcm)).to.throw(WavFormatError, /format tag 17/);
  });

  it('refuses to write nonsense', () => {
    expect(() => encodePcm16Wav(8000, [])).to.throw(RangeError, /channels/);
    expect(() => encodePcm16Wav(0, [new Int16Array(1)])).to.throw(RangeError, /sample rate/);
  });
});

function u32(x: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(x);
  return b;
}
