// Reads a recording's WAV into one Int16Array per channel, and writes the 16-bit PCM WAVs the simulator records.
//
// The formats a carrier delivers (16-bit PCM and 8-bit G.711 µ-law or A-law, any rate, mono or dual channel) are
// decoded here in one pass from the file's bytes straight into the channel arrays: an hour of 8 kHz stereo is
// 115 MB at 16 bits, and wavefile's generic path would unpack it through Float64 arrays several times that size.
// Anything else a WAV can hold (8/24/32-bit PCM, float) goes through wavefile, which is slower but rare.
import fs from 'node:fs/promises';
import * as wavefileModule from 'wavefile';

// wavefile ships CommonJS with an `export =` typing: depending on the loader (tsx alone, or under mocha) its class
// arrives as a named export or on the default one.
const { WaveFile } = (wavefileModule.WaveFile ? wavefileModule : (wavefileModule as unknown as { default: typeof wavefileModule }).default);

/** A WAV file this module cannot read: not RIFF/WAVE, no fmt or data chunk, or a layout it does not know. */
export class WavFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavFormatError';
  }
}

export type WavEncoding = 'pcm16' | 'mulaw' | 'alaw' | 'other';

export interface WavInfo {
  encoding: WavEncoding;
  /** The fmt chunk's format tag (1 PCM, 3 float, 6 A-law, 7 µ-law; 0xFFFE is resolved to its sub-format). */
  formatTag: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Sample frames (one sample per channel) in the data chunk. */
  frames: number;
  durationSeconds: number;
  /** Where the audio starts in the file and how many bytes of it there are (clamped to the file's length). */
  dataOffset: number;
  dataBytes: number;
}

export interface DecodedWav {
  sampleRate: number;
  /** One array per channel, all of the same length; full scale is ±32768 whatever the file's encoding. */
  channels: Int16Array[];
  durationSeconds: number;
  encoding: WavEncoding;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Reads the header only: what the file holds and where, without decoding a sample. */
export function wavInfo(bytes: Uint8Array): WavInfo {
  if (bytes.length < 12) throw new WavFormatError(`not a WAV file: ${bytes.length} bytes is shorter than a RIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = fourCc(view, 0);
  if (riff !== 'RIFF') throw new WavFormatError(`not a WAV file: starts with "${riff}" instead of "RIFF"`);
  if (fourCc(view, 8) !== 'WAVE') throw new WavFormatError(`not a WAV file: RIFF type is "${fourCc(view, 8)}" instead of "WAVE"`);

  let fmt: { formatTag: number; channels: number; sampleRate: number; blockAlign: number; bitsPerSample: number } | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = fourCc(view, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavFormatError(`fmt chunk too short (${size} bytes)`);
      let formatTag = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in the first two bytes of its sub-format GUID.
      if (formatTag === FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= bytes.length) formatTag = view.getUint16(body + 24, true);
      fmt = {
        formatTag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before the fmt chunk');
      if (fmt.channels < 1) throw new WavFormatError('fmt chunk declares 0 channels');
      if (fmt.sampleRate < 1) throw new WavFormatError('fmt chunk declares a sample rate of 0');
      if (fmt.blockAlign < 1) throw new WavFormatError('fmt chunk declares a block size of 0');
      // A writer that streams may leave the size at 0xFFFFFFFF or stop early: trust the file's length over the header.
      const dataBytes = Math.min(size, bytes.length - body);
      const frames = Math.floor(dataBytes / fmt.blockAlign);
      return {
        encoding: encodingOf(fmt.formatTag, fmt.bitsPerSample),
        formatTag: fmt.formatTag,
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bitsPerSample,
        frames,
        durationSeconds: frames / fmt.sampleRate,
        dataOffset: body,
        dataBytes,
      };
    }
    pos = body + size + (size & 1); // chunks are padded to an even length
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** Decodes a WAV held in memory into one Int16Array per channel. */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const info = wavInfo(bytes);
  const { channels: n, frames, dataOffset } = info;
  const channels = Array.from({ length: n }, () => new Int16Array(frames));
  if (info.encoding === 'pcm16') {
    const aligned = (bytes.byteOffset + dataOffset) % 2 === 0;
    if (aligned && n === 1) {
      channels[0].set(new Int16Array(bytes.buffer, bytes.byteOffset + dataOffset, frames));
    } else if (aligned && n === 2) {
      const src = new Int16Array(bytes.buffer, bytes.byteOffset + dataOffset, frames * 2);
      const [a, b] = channels;
      for (let i = 0, j = 0; i < frames; i++, j += 2) {
        a[i] = src[j];
        b[i] = src[j + 1];
      }
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, frames * n * 2);
      for (let i = 0, off = 0; i < frames; i++) for (let c = 0; c < n; c++, off += 2) channels[c][i] = view.getInt16(off, true);
    }
  } else if (info.encoding === 'mulaw' || info.encoding === 'alaw') {
    const table = info.encoding === 'mulaw' ? MULAW_TO_PCM : ALAW_TO_PCM;
    for (let i = 0, off = dataOffset; i < frames; i++) for (let c = 0; c < n; c++, off++) channels[c][i] = table[bytes[off]];
  } else {
    decodeWithWavefile(bytes, info, channels);
  }
  return { sampleRate: info.sampleRate, channels, durationSeconds: info.durationSeconds, encoding: info.encoding };
}

export interface InterleavedWav {
  sampleRate: number;
  channelCount: number;
  /** The samples frame after frame, as in the file; `interleaved.length` is frames × channelCount. */
  interleaved: Int16Array;
  durationSeconds: number;
  encoding: WavEncoding;
  /** True when `interleaved` is a view of the given bytes (16-bit PCM): no copy was made, and it lives as long as they do. */
  inPlace: boolean;
}

/**
 * The samples interleaved as in the file, for analysis in place: 16-bit PCM is a view of `bytes` itself (no copy, so
 * an hour of stereo costs nothing beyond the file's 115 MB); other encodings are decoded into one new array.
 */
export function interleavedWav(bytes: Uint8Array): InterleavedWav {
  const info = wavInfo(bytes);
  const { channels: n, frames, dataOffset } = info;
  const base = { sampleRate: info.sampleRate, channelCount: n, durationSeconds: info.durationSeconds, encoding: info.encoding };
  if (info.encoding === 'pcm16' && (bytes.byteOffset + dataOffset) % 2 === 0) {
    return { ...base, interleaved: new Int16Array(bytes.buffer, bytes.byteOffset + dataOffset, frames * n), inPlace: true };
  }
  const interleaved = new Int16Array(frames * n);
  if (info.encoding === 'mulaw' || info.encoding === 'alaw') {
    const table = info.encoding === 'mulaw' ? MULAW_TO_PCM : ALAW_TO_PCM;
    for (let i = 0; i < interleaved.length; i++) interleaved[i] = table[bytes[dataOffset + i]];
  } else {
    const { channels } = decodeWav(bytes);
    for (let c = 0; c < n; c++) for (let i = 0; i < frames; i++) interleaved[i * n + c] = channels[c][i];
  }
  return { ...base, interleaved, inPlace: false };
}

export async function readWavFile(file: string): Promise<DecodedWav> {
  return decodeWav(await fs.readFile(file));
}

/**
 * A 16-bit PCM WAV of the given channels, interleaved; a shorter channel is padded with silence.
 * `encodeDualChannelWav(customer, agent, 8000)` gives what a dual-channel call-leg recording holds.
 */
export function encodePcm16Wav(sampleRate: number, channels: readonly Int16Array[]): Buffer {
  if (channels.length < 1 || channels.length > 0xffff) throw new RangeError(`a WAV holds 1 to 65535 channels, not ${channels.length}`);
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new RangeError(`sample rate must be a positive integer, not ${sampleRate}`);
  const n = channels.length;
  const frames = Math.max(...channels.map((c) => c.length));
  const dataBytes = frames * n * 2;
  if (dataBytes + 36 > 0xffffffff) throw new RangeError(`${dataBytes} bytes of audio do not fit a RIFF file (4 GB)`);
  // Buffer.alloc (never from the shared pool) starts at offset 0 of its own memory, so the samples at 44 are 2-aligned.
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(FORMAT_PCM, 20);
  out.writeUInt16LE(n, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * n * 2, 28);
  out.writeUInt16LE(n * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(dataBytes, 40);
  const dst = new Int16Array(out.buffer, out.byteOffset + 44, frames * n);
  if (n === 2 && channels[0].length === frames && channels[1].length === frames) {
    const [a, b] = channels;
    for (let i = 0, j = 0; i < frames; i++, j += 2) {
      dst[j] = a[i];
      dst[j + 1] = b[i];
    }
  } else {
    for (let c = 0; c < n; c++) {
      const src = channels[c];
      for (let i = 0; i < src.length; i++) dst[i * n + c] = src[i];
    }
  }
  return out;
}

export function encodeDualChannelWav(channel0: Int16Array, channel1: Int16Array, sampleRate: number): Buffer {
  return encodePcm16Wav(sampleRate, [channel0, channel1]);
}

function fourCc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

function encodingOf(formatTag: number, bits: number): WavEncoding {
  if (formatTag === FORMAT_PCM && bits === 16) return 'pcm16';
  if (formatTag === FORMAT_MULAW && bits === 8) return 'mulaw';
  if (formatTag === FORMAT_ALAW && bits === 8) return 'alaw';
  if (formatTag === FORMAT_PCM || formatTag === FORMAT_FLOAT) return 'other';
  throw new WavFormatError(`unsupported WAV format tag ${formatTag} (${bits} bits); expected PCM, float, µ-law or A-law`);
}

function decodeWithWavefile(bytes: Uint8Array, info: WavInfo, channels: Int16Array[]): void {
  const wf = new WaveFile();
  try {
    wf.fromBuffer(bytes);
    if (wf.bitDepth !== '16') wf.toBitDepth('16');
  } catch (err) {
    throw new WavFormatError(`cannot decode ${info.bitsPerSample}-bit WAV (format ${info.formatTag}): ${(err as Error).message}`);
  }
  const decoded = wf.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  const perChannel = info.channels === 1 && !Array.isArray(decoded) ? [decoded as Int16Array] : (decoded as Int16Array[]);
  for (let c = 0; c < channels.length; c++) channels[c].set(perChannel[c].subarray(0, channels[c].length));
}

// G.711 expansions (ITU-T G.711), one table entry per byte value.
const MULAW_TO_PCM = Int16Array.from({ length: 256 }, (_, byte) => {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
});

const ALAW_TO_PCM = Int16Array.from({ length: 256 }, (_, byte) => {
  const a = byte ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let magnitude = ((a & 0x0f) << 4) + 8;
  if (segment >= 1) magnitude = (magnitude + 0x100) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
});
