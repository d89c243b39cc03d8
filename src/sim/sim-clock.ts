// Simulated time: `timeScale` real milliseconds pass per simulated second.
export class SimClock {
  private readonly origin = performance.now();
  constructor(readonly timeScale: number) {}

  /** Simulated seconds since the simulator started. */
  now(): number {
    return (performance.now() - this.origin) / this.timeScale;
  }

  ms(simSeconds: number): number {
    return Math.max(0, simSeconds * this.timeScale);
  }
}

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;

/** How long a text takes to speak: 0.15 s per CJK character, 0.07 s per other character, at least 0.5 s. */
export function speechSeconds(text: string): number {
  let s = 0;
  for (const ch of text) s += CJK.test(ch) ? 0.15 : 0.07;
  return Math.max(0.5, s);
}
