// Keeps a copy of each survey comment's audio under recordings/, fetched from the carrier by a retried job (as voicemails are).
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SurveyResponsesRepo } from './survey-responses.repo';

export const SURVEY_COMMENT_DOWNLOAD = { queue: 'recordings', name: 'survey-comment-download' } as const;

export const surveyCommentDownloadPayload = z.object({ surveyId: z.number().int().positive(), recordingSid: z.string().regex(/^RE[0-9a-f]{32}$/) });
export type SurveyCommentDownloadPayload = z.infer<typeof surveyCommentDownloadPayload>;

export function surveyCommentDownloadJob(p: SurveyCommentDownloadPayload) {
  return { ...SURVEY_COMMENT_DOWNLOAD, jobId: `survey-comment:${p.recordingSid}`, payload: p };
}

export class SurveyCommentDownloader {
  constructor(
    private readonly d: {
      responses: SurveyResponsesRepo;
      media: { recordingMedia(recordingSid: string): Promise<Buffer> };
      /** Directory the audio files go to (recordings/). */
      dir: string;
    },
  ) {}

  async run(payload: unknown): Promise<string> {
    const p = surveyCommentDownloadPayload.parse(payload);
    const r = this.d.responses.get(p.surveyId);
    if (!r) throw new Error(`no survey answer ${p.surveyId}`);
    if (r.commentLocalPath) return r.commentLocalPath;
    // A download that fails throws before anything is written: bull retries it.
    const audio = await this.d.media.recordingMedia(p.recordingSid);
    const file = `survey-comment-${p.recordingSid}.wav`;
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
    this.d.responses.update(r.id, { commentLocalPath: file });
    return file;
  }
}
