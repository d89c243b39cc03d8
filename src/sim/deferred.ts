// A promise settled from outside, for events one party waits on and another causes (answer, bridge end, leave).
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly settled: boolean;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let settle!: (v: T) => void;
  let settled = false;
  const promise = new Promise<T>((r) => (settle = r));
  return {
    promise,
    get settled() {
      return settled;
    },
    resolve(v: T) {
      if (settled) return;
      settled = true;
      settle(v);
    },
  };
}
