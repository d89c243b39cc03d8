// Who may read which post-call survey answers: supervisors and dispatchers all of them, a team lead their team's.
import type { Principal } from '../auth/auth.service';
import type { Role } from '../db/schema/index';
import { Forbidden } from '../errors/domain-errors';
import type { SurveyFilter, SurveyResponse, SurveyResponsesRepo } from './survey-responses.repo';

export const SURVEY_READERS: readonly Role[] = ['supervisor', 'dispatcher', 'team_lead'];

/** An answer as the API shows it. */
export interface SurveyAnswer {
  id: number;
  callSid: string;
  interactionId: number;
  agentId: number;
  agentName?: string | null;
  teamId: number | null;
  queue: string;
  desk: string;
  rating: number;
  answeredAt: string;
  comment: { seconds: number | null; recordedAt: string | null; stored: boolean } | null;
}

export function surveyAnswerJson(r: SurveyResponse & { agentName?: string | null }): SurveyAnswer {
  return {
    id: r.id,
    callSid: r.callSid,
    interactionId: r.interactionId,
    agentId: r.agentId,
    ...(r.agentName !== undefined ? { agentName: r.agentName } : {}),
    teamId: r.teamId,
    queue: r.queue,
    desk: r.desk,
    rating: r.rating,
    answeredAt: r.answeredAt.toISOString(),
    comment: r.commentRecordingUrl ? { seconds: r.commentSeconds, recordedAt: r.commentedAt?.toISOString() ?? null, stored: !!r.commentLocalPath } : null,
  };
}

export class SurveysService {
  constructor(private readonly d: { responses: SurveyResponsesRepo }) {}

  /** Answers matching `filter`, newest first, with their count and mean rating; a team lead's are their team's only. */
  list(staff: Principal, filter: Omit<SurveyFilter, 'teamId'>, page: { limit: number; offset: number }) {
    const f: SurveyFilter = { ...filter, ...this.scope(staff) };
    const { responses, average } = this.d.responses.summary(f);
    return { total: responses, average, answers: this.d.responses.list(f, page).map(surveyAnswerJson) };
  }

  /** The answer given about one conversation, for its detail views (undefined when none). */
  forInteraction(interactionId: number | null | undefined): SurveyAnswer | undefined {
    const r = interactionId ? this.d.responses.forInteraction(interactionId) : undefined;
    return r ? surveyAnswerJson(r) : undefined;
  }

  private scope(staff: Principal): Pick<SurveyFilter, 'teamId'> {
    if (staff.role === 'team_lead') {
      if (staff.teamId === null) throw new Forbidden('A team lead with no team has no survey answers to see');
      return { teamId: staff.teamId };
    }
    if (!SURVEY_READERS.includes(staff.role)) throw new Forbidden(`Survey answers need one of the roles: ${SURVEY_READERS.join(', ')}`);
    return {};
  }
}
