// wavefile as an independent reference in tests. It ships CommonJS with an `export =` typing: under plain tsx its
// class arrives on the default export, under mocha's loader as a named export, so take whichever is there.
import * as wavefileModule from 'wavefile';

type Module = typeof wavefileModule;
export const WaveFile: Module['WaveFile'] =
  wavefileModule.WaveFile ?? (wavefileModule as unknown as { default: Module }).default.WaveFile;
export type WaveFile = InstanceType<Module['WaveFile']>;
