// Renders recordings' audio on a worker thread: serving each answered call's recording was a third of a busy
// simulator's main thread (docs/busy-day.md), and every webhook it sent meanwhile left late.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logging/logger';
import { renderFrames, type AudioPlan } from './recording-audio';

type Reply = { id: number; bytes?: Uint8Array; error?: string };

/**
 * The thread's side: render what is asked, hand the bytes over without copying. It registers tsx itself (a thread
 * does not always inherit the loader: mocha loads it through its own options) to import the TypeScript module.
 */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
// The lowest priority, for this thread only (Linux's setpriority on the calling thread): rendering is background work,
// and the calls' own timers and webhooks come first.
try { require('node:os').setPriority(0, 19); } catch {}
const load = import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./recording-audio.ts', import.meta.url).href)}); });
parentPort.on('message', async ({ id, plan, from, to }) => {
  try {
    const { renderFrames } = await load;
    const buf = renderFrames(plan, from, to);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    parentPort.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.stack || err) });
  }
});`;

export class RenderThread {
  private worker?: Worker;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();

  constructor(private readonly log?: Logger) {}

  /** Whether renders go to the worker thread (false once it failed). */
  get threaded(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Frames [from, to) of the plan as 16-bit PCM. On this thread when the worker cannot run (a process started without
   * tsx's loader in its flags cannot import the TypeScript module there): the same bytes, only on the main thread.
   */
  render(plan: AudioPlan, from: number, to: number): Promise<Buffer> {
    const worker = this.thread();
    if (!worker) return Promise.resolve(renderFrames(plan, from, to));
    const id = this.nextId++;
    // The thread keeps the process alive only while it has work (an idle one never holds the process).
    if (this.pending.size === 0) worker.ref();
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, plan, from, to });
    }).catch(() => renderFrames(plan, from, to));
  }

  private thread(): Worker | undefined {
    if (this.worker || this.broken) return this.worker;
    try {
      // The thread runs with this process's flags (tsx's loader), so it imports the same TypeScript module.
      const worker = new Worker(THREAD_SOURCE, { eval: true });
      worker.on('message', (m: Reply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) worker.unref();
        if (m.bytes) p.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
        else {
          p.reject(new Error(m.error ?? 'render failed'));
          this.fail(new Error(m.error ?? 'render failed'));
        }
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', () => this.fail(new Error('the render thread exited')));
      // After the listeners (adding one refs the thread again).
      worker.unref();
      this.worker = worker;
    } catch (err) {
      this.fail(err);
    }
    return this.worker;
  }

  /** Requests in flight fail (their downloads end early and the client retries); later ones render on this thread. */
  private fail(err: unknown): void {
    if (this.worker) this.log?.warn('simulator: recording render thread failed; rendering on the main thread', { err: String(err).slice(0, 300) });
    void this.worker?.terminate();
    this.worker = undefined;
    this.broken = true;
    for (const p of this.pending.values()) p.reject(err instanceof Error ? err : new Error(String(err)));
    this.pending.clear();
  }
}

/** One render thread for the process, started at the first download (shared by every simulator in it; unref'd). */
export const renderThread = new RenderThread();
