// Keeps a copy of each voicemail's audio under recordings/, fetched from the carrier by a retried job.
import { z } from 'zod';
import { writeFileAtomically } from './atomic-file';
import type { VoicemailsRepo } from './voicemails.repo';

export const VOICEMAIL_DOWNLOAD = { queue: 'recordings', name: 'voicemail-download' } as const;

export const voicemailDownloadPayload = z.object({ callSid: z.string().regex(/^CA[0-9a-f]{32}$/), recordingSid: z.string().regex(/^RE[0-9a-f]{32}$/) });
export type VoicemailDownloadPayload = z.infer<typeof voicemailDownloadPayload>;

export function voicemailDownloadJob(p: VoicemailDownloadPayload) {
  return { ...VOICEMAIL_DOWNLOAD, jobId: `voicemail:${p.recordingSid}`, payload: p };
}

export class VoicemailDownloader {
  constructor(
    private readonly d: {
      voicemails: VoicemailsRepo;
      media: { recordingMedia(recordingSid: string): Promise<Buffer> };
      /** Directory the audio files go to (recordings/). */
      dir: string;
    },
  ) {}

  async run(payload: unknown): Promise<string> {
    const p = voicemailDownloadPayload.parse(payload);
    const vm = this.d.voicemails.forCall(p.callSid);
    if (!vm) throw new Error(`no voicemail for call ${p.callSid}`);
    if (vm.localPath) return vm.localPath;
    // A download that fails (too big, too slow, carrier error) throws before anything is written: bull retries it.
    const audio = await this.d.media.recordingMedia(p.recordingSid);
    const file = `voicemail-${p.recordingSid}.wav`;
    await writeFileAtomically(this.d.dir, file, audio);
    this.d.voicemails.update(vm.id, { localPath: file });
    return file;
  }
}
