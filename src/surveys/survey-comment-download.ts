// Keeps a copy of each survey comment's audio under recordings/, fetched from the carrier by a retried job (as voicemails are).
import { z } from 'zod';
import { writeFileAtomically } from '../recordings/atomic-file';
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
    await writeFileAtomically(this.d.dir, file, audio);
    this.d.responses.update(r.id, { commentLocalPath: file });
    return file;
  }
}
