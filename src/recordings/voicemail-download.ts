// Keeps a copy of each voicemail's audio under recordings/, fetched from the carrier by a retried job.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
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
    await fs.mkdir(this.d.dir, { recursive: true });
    // Written aside and renamed into place, so a crash mid-write never leaves a half file under the real name.
    const partial = path.join(this.d.dir, `.${file}.${process.pid}.part`);
    try {
      await fs.writeFile(partial, audio);
      await fs.rename(partial, path.join(this.d.dir, file));
    } catch (err) {
      await fs.rm(partial, { force: true });
      throw err;
    }
    this.d.voicemails.update(vm.id, { localPath: file });
    return file;
  }
}
