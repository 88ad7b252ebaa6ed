/**
 * The refusals interview code shares (scheduling, answers, scorecards, decisions), each once, in both languages.
 */
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { InterviewStatus } from '../db/schema.ts';

export const STATUS_ZH: Record<InterviewStatus, string> = { scheduled: '已安排', cancelled: '已取消', completed: '已完成' };

export function interviewNotFound(id: string): NotFoundError {
  return new NotFoundError({ code: 'interview_not_found', en: `No interview with id ${id}`, zh: `找不到 ID 为 ${id} 的面试。` });
}

export function notOnPanel(): ForbiddenError {
  return new ForbiddenError({ code: 'not_on_panel', en: 'You are not on this interview\'s panel', zh: '你不是这场面试的面试官。' });
}

export function interviewNotStarted(en: string, zh: string): ConflictError {
  return new ConflictError({ code: 'interview_not_started', en, zh });
}
