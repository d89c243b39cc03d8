// The carrier simulator's public API: the simulator, its calls, softphones, scripts and transcripts.
export { CarrierSimulator } from './carrier-simulator';
export type { SimulatorOptions, NumberWebhooks } from './carrier-context';
export type { SimCall, CallStatus } from './call-session';
export type { CallerStep } from './caller-script';
export { parseScript } from './caller-script';
export { SimSoftphone, type SoftphoneOptions, type PhoneOptions } from './endpoints';
export type { Audibility } from './conferences';
export { formatTranscript, type TranscriptEntry, type TranscriptKind } from './transcript';
export { twilioSignature } from './webhook-client';
export { APPLICATION_ERROR } from './twiml-runner';
