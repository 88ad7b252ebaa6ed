/**
 * The API's shapes, taken from the server's zod schemas (apps/server/src/<domain>/routes.ts): they are the
 * contract, so a change there that the pages do not follow is a type error here. Type-only imports: nothing of
 * the server reaches the browser bundle. Over JSON a Date arrives as its ISO string, hence `Json<…>`.
 */
import type { z } from 'zod';
import type { meResponse } from '../../../server/src/auth/routes.ts';
import type { Role } from '../../../server/src/auth/principal.ts';
import type { healthResponse } from '../../../server/src/health.ts';
import type { interviewDetailSchema, interviewSummarySchema } from '../../../server/src/interviews/routes.ts';
import type { NotificationKind } from '../../../server/src/notifications/notification.ts';
import type { messageSchema } from '../../../server/src/notifications/routes.ts';
import type { personSchema } from '../../../server/src/people/routes.ts';
import type { candidateRoomSchema, memberRoomSchema, roomStateSchema, runSchema, signalSchema } from '../../../server/src/rooms/routes.ts';
import type { decisionSchema, ratingSchema } from '../../../server/src/scorecards/routes.ts';
import type { difficultySchema, questionDetailSchema, questionSummarySchema } from '../../../server/src/questions/routes.ts';

/** What JSON.parse gives back for a value the server serialised. */
export type Json<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

type Out<S extends z.ZodType> = Json<z.output<S>>;

export type { NotificationKind, Role };
export type Me = Out<typeof meResponse>;
export type Person = Out<typeof personSchema>;
export type InterviewSummary = Out<typeof interviewSummarySchema>;
export type InterviewDetail = Out<typeof interviewDetailSchema>;
export type Interviewer = InterviewSummary['interviewers'][number];
export type Scorecard = InterviewDetail['scorecards'][number];
export type Rating = z.output<typeof ratingSchema>;
export type Decision = z.output<typeof decisionSchema>;
export type InvitationResponse = InterviewSummary['interviewers'][number]['response'];
export type InterviewStatus = InterviewSummary['status'];
export type CandidateRoom = Out<typeof candidateRoomSchema>;
export type MemberRoom = Out<typeof memberRoomSchema>;
export type RoomState = Out<typeof roomStateSchema>;
export type RunView = Out<typeof runSchema>;
export type SignalView = Out<typeof signalSchema>;
export type Message = Out<typeof messageSchema>;
export type MessageStatus = Message['status'];
export type Health = Out<typeof healthResponse>;
export type Locale = Me['locale'];

export const RATINGS = ['strong_no', 'no', 'yes', 'strong_yes'] as const satisfies readonly Rating[];
export const DECISIONS = ['advance', 'another_round', 'reject'] as const satisfies readonly Decision[];
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'dropped'] as const satisfies readonly MessageStatus[];

/** Request bodies (the routes' `body` schemas, as the client sends them). */
export interface CandidateInput {
  name: string;
  email?: string | null;
  phone?: string | null;
}

export interface ScheduleInput {
  candidate: CandidateInput;
  position: string;
  startsAt: string;
  durationMinutes: number;
  interviewerIds: string[];
  hiringManagerId?: string | null;
  questionId?: string | null;
}

export interface ScorecardInput {
  rating: Rating;
  skillNotes: { skill: string; note: string }[];
  summary: string;
}

/** The question bank (apps/server/src/questions/routes.ts). */
export type QuestionSummary = Out<typeof questionSummarySchema>;
export type QuestionDetail = Out<typeof questionDetailSchema>;
export type Difficulty = z.output<typeof difficultySchema>;
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const satisfies readonly Difficulty[];

export interface QuestionInput {
  title: string;
  statement: string;
  difficulty: Difficulty;
  tags: string[];
  /** { language id: code }; an empty one is dropped by the server. */
  starterCode: Record<string, string>;
  guidance: string;
}
