// Renders the IVR's instructions, queue announcements and the safe fallback as TwiML.
import twilio from 'twilio';
import type { Instruction, Language } from '../ivr/flow-types';
import type { Flow } from '../ivr/flow-schema';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type Voices = Flow['voices'];

const DEFAULT_VOICES: Voices = {
  zh: { voice: 'Polly.Zhiyu', language: 'cmn-CN' },
  en: { voice: 'Polly.Joanna', language: 'en-US' },
};

export interface TwimlUrls {
  /** Absolute base of this server as the carrier reaches it. */
  base: string;
  holdMusic: string;
}

export class TwimlRenderer {
  readonly fallbackTwiml: string;

  constructor(private readonly urls: TwimlUrls) {
    this.fallbackTwiml = this.buildFallback();
  }

  /** The IVR's next instructions; actions come back to /twilio/ivr carrying the step. */
  ivr(instructions: Instruction[], at: { step: number; flow: Flow }): string {
    const r = new twilio.twiml.VoiceResponse();
    const action = `${this.urls.base}/twilio/ivr?s=${at.step}`;
    for (const i of instructions) this.add(r, i, at.flow.voices, action);
    return r.toString();
  }

  /** What a waiting caller hears each time the wait loop comes round. */
  queueWait(language: Language, position: number | undefined): string {
    const r = new twilio.twiml.VoiceResponse();
    if (position !== undefined) {
      const text =
        language === 'zh'
          ? position === 1
            ? '您是下一位，客服人员马上为您服务，请稍候。'
            : `您前面还有${position - 1}位客户，请耐心等待。`
          : position === 1
            ? 'You are next in line. An agent will be with you shortly.'
            : `There ${position === 2 ? 'is 1 caller' : `are ${position - 1} callers`} ahead of you. Thank you for waiting.`;
      this.say(r, text, language, DEFAULT_VOICES);
    }
    r.play(this.urls.holdMusic);
    return r.toString();
  }

  hangup(): string {
    const r = new twilio.twiml.VoiceResponse();
    r.hangup();
    return r.toString();
  }

  empty(): string {
    return new twilio.twiml.VoiceResponse().toString();
  }

  private add(r: VoiceResponse, i: Instruction, voices: Voices, action: string): void {
    switch (i.kind) {
      case 'say':
        return this.say(r, i.text, i.language, voices);
      case 'play':
        r.play({ loop: i.loop }, i.url);
        return;
      case 'pause':
        r.pause({ length: i.seconds });
        return;
      case 'gather': {
        const g = r.gather({
          input: i.input === 'dtmf' ? ['dtmf'] : ['dtmf', 'speech'],
          numDigits: i.numDigits,
          finishOnKey: i.finishOnKey,
          timeout: i.timeout,
          hints: i.hints?.join(','),
          language: voices[i.language].language as never,
          action,
          method: 'POST',
          actionOnEmptyResult: true,
        });
        for (const p of i.prompts) {
          if (p.kind === 'say') g.say({ voice: voices[p.language].voice as never, language: voices[p.language].language as never }, p.text);
          else if (p.kind === 'play') g.play({ loop: p.loop }, p.url);
          else if (p.kind === 'pause') g.pause({ length: p.seconds });
        }
        return;
      }
      case 'enqueue':
        r.enqueue({ waitUrl: `${this.urls.base}/twilio/queue/wait`, waitUrlMethod: 'POST', action: `${this.urls.base}/twilio/queue/result`, method: 'POST' }, i.queue);
        return;
      case 'record':
        r.record({
          action: `${action}&in=record`,
          method: 'POST',
          maxLength: i.maxLength,
          finishOnKey: i.finishOnKey,
          playBeep: true,
          recordingStatusCallback: `${this.urls.base}/twilio/recording/status`,
        });
        // Without a recording the carrier falls through to the next verb: come back all the same.
        r.redirect({ method: 'POST' }, `${action}&in=record`);
        return;
      case 'dial':
        r.dial({ action: `${action}&in=dial`, method: 'POST', timeout: i.timeout }, i.number);
        return;
      case 'hangup':
        r.hangup();
        return;
    }
  }

  private say(r: VoiceResponse, text: string, language: Language, voices: Voices): void {
    r.say({ voice: voices[language].voice as never, language: voices[language].language as never }, text);
  }

  /** Apology, then the general front-desk queue: what a caller hears when anything inside fails. */
  private buildFallback(): string {
    const r = new twilio.twiml.VoiceResponse();
    this.say(r, '非常抱歉，系统暂时无法处理您的请求，正在为您转接人工客服。', 'zh', DEFAULT_VOICES);
    this.say(r, 'We are sorry, something went wrong. Connecting you to an agent.', 'en', DEFAULT_VOICES);
    r.enqueue(
      { waitUrl: `${this.urls.base}/twilio/queue/wait`, waitUrlMethod: 'POST', action: `${this.urls.base}/twilio/queue/result`, method: 'POST' },
      FALLBACK_QUEUE,
    );
    return r.toString();
  }
}

export const FALLBACK_QUEUE = 'front-general';
