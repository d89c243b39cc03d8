// The carrier's webhooks for a caller waiting in a queue: the wait loop, keys pressed in it, and how the wait ended.
import type { QueueWaitService, WaitTurn } from '../acd/queue-wait.service';
import type { Language } from '../ivr/flow-types';
import type { WebhookRoute } from './webhook-server';
import { DEFAULT_VOICES } from './twiml-renderer';
import { attrs, element, parent, twimlDocument } from './twiml-writer';

export interface QueueWebhookDeps {
  base: string;
  holdMusic: string;
  queueWait: QueueWaitService;
  /** After a caller chose voicemail in the queue: the TwiML that records it (the IVR's voicemail node). */
  voicemail(callSid: string): string;
}

/** Rounds an estimate to what a person says: "about 2 minutes", never "127 seconds". */
function minutes(seconds: number): number {
  return Math.max(1, Math.round(seconds / 60));
}

export function waitPrompts(t: WaitTurn): string[] {
  const zh = t.language === 'zh';
  const out: string[] = [];
  if (t.announce) {
    const { position, estimatedWaitSeconds: ewt } = t.announce;
    if (zh) {
      out.push(position === 1 ? '您是下一位，客服人员马上为您服务。' : `您前面还有${position - 1}位客户。`);
      if (ewt !== undefined && position > 1) out.push(`预计等待时间约${minutes(ewt)}分钟。`);
    } else {
      out.push(position === 1 ? 'You are next in line.' : `There ${position === 2 ? 'is 1 caller' : `are ${position - 1} callers`} ahead of you.`);
      if (ewt !== undefined && position > 1) out.push(`Your estimated wait is about ${minutes(ewt)} minute${minutes(ewt) === 1 ? '' : 's'}.`);
    }
  }
  if (t.overflow === 'callback_or_voicemail') {
    out.push(
      zh
        ? '非常抱歉让您久等了。需要我们稍后回电请按1，留言请按2，继续等待请不要挂机。'
        : 'We are sorry for the long wait. For a callback, press 1. To leave a message, press 2. Or stay on the line.',
    );
  } else if (t.overflow === 'voicemail') {
    out.push(zh ? '非常抱歉让您久等了。留言请按2，继续等待请不要挂机。' : 'We are sorry for the long wait. To leave a message, press 2. Or stay on the line.');
  } else if (t.announce) {
    out.push(zh ? '如不想等待，请按1，我们会按您现在的排队顺序给您回电。' : 'To be called back instead, keeping your place in line, press 1.');
  }
  return out;
}

export function queueWebhookRoutes(d: QueueWebhookDeps): Record<string, WebhookRoute> {
  const say = (language: Language, text: string) => element('Say', attrs({ voice: DEFAULT_VOICES[language].voice, language: DEFAULT_VOICES[language].language }), text);
  const waitAttrs = attrs({ input: ['dtmf'], numDigits: 1, timeout: 1, action: `${d.base}/twilio/queue/key`, method: 'POST' });
  // While the server sheds load: three rounds of music per request (a third of the wait loop's webhooks), no database,
  // built once; a key pressed during the music still reaches /twilio/queue/key (1: a callback keeping the caller's place).
  const shedHold = twimlDocument(parent('Gather', waitAttrs, [element('Play', attrs({ loop: 3 }), d.holdMusic)]));

  return {
    '/twilio/queue/wait': {
      kind: 'twiml',
      handle(p) {
        const turn = d.queueWait.turn(p.CallSid);
        const prompts = waitPrompts(turn).map((text) => say(turn.language, text));
        return twimlDocument(parent('Gather', waitAttrs, [...prompts, element('Play', '', d.holdMusic)]));
      },
      shed: () => shedHold,
    },
    '/twilio/queue/key': {
      kind: 'twiml',
      handle(p) {
        const outcome = d.queueWait.keyPressed(p.CallSid, (p.Digits ?? '').slice(0, 1));
        // <Leave> ends the wait; the Enqueue action (/twilio/queue/result) then says goodbye or records the message.
        return outcome === 'ignored' ? twimlDocument() : twimlDocument('<Leave/>');
      },
    },
    '/twilio/queue/result': {
      kind: 'twiml',
      handle(p) {
        const status = d.queueWait.ended(p.CallSid, p.QueueResult ?? '');
        if (status === 'voicemail') return d.voicemail(p.CallSid);
        if (status !== 'callback') return twimlDocument('<Hangup/>');
        const language = d.queueWait.turn(p.CallSid).language;
        if (p.QueueResult === 'queue-full') {
          return twimlDocument(
            say(language, language === 'zh' ? '非常抱歉，现在来电太多，线路已满。我们已记下您的号码，客服人员会尽快给您回电。再见。' : 'We are sorry, all our lines are full right now. We have noted your number and an agent will call you back as soon as possible. Goodbye.'),
            '<Hangup/>',
          );
        }
        return twimlDocument(
          say(language, language === 'zh' ? '好的，我们已记下您的回电请求，并保留您的排队顺序，客服人员会尽快给您回电。感谢您的来电，再见。' : 'Thank you. We have kept your place and will call you back as soon as an agent is free. Goodbye.'),
          '<Hangup/>',
        );
      },
    },
  };
}

