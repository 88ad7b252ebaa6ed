/**
 * Every word Pairview says in WeCom, as one typed dictionary per language (zh.ts, en.ts). Renderers take a
 * `Strings` and never hold text of their own, so both languages always have the same messages.
 *
 * Arguments are already safe to show (names cleaned by format.ts). Keep WeCom's limits in mind: button texts
 * ≤10 characters, textcard `btntxt` ≤4, card titles ≤36 (wecom-protocol.md §3.2); renderers clip the rest.
 */
import type { DecisionValue, Rating } from '../../../db/schema.ts';

export interface Strings {
  /** Monday … Sunday. */
  weekdays: readonly [string, string, string, string, string, string, string];
  /** "1月8日 周二" / "Tue 8 Jan" */
  date(parts: { month: number; day: number; weekday: string }): string;
  minutes(n: number): string;
  /** Joins names: "张伟、李娜" / "Wei Zhang, Na Li". */
  list(items: readonly string[]): string;
  /** The card's source line. */
  source: string;
  /** textcard button label (≤4 characters). */
  view: string;
  rating: Record<Rating, string>;
  /** Decision buttons (≤10 characters each). */
  decision: Record<DecisionValue, string>;
  /** The label a decision card's buttons become: "已推进 · 张三" / "Advanced by 张三". */
  decided(decision: DecisionValue, by: string): string;

  field: {
    candidate: string;
    position: string;
    time: string;
    duration: string;
    interviewers: string;
    interviewer: string;
    rating: string;
    /** All ratings so far. */
    ratings: string;
    feedback: string;
  };

  invite: {
    title(candidate: string): string;
    subtitle: string;
    rescheduledTitle(candidate: string): string;
    rescheduledSubtitle(from: string, to: string): string;
    accept: string;
    decline: string;
    join: string;
    /** Labels of a closed invitation card. */
    closed: { rescheduled: string; cancelled: string; removed: string };
  };

  updated: { title(candidate: string): string; body: string };
  cancelled(args: { candidate: string; position: string; when: string; reason: string | null }): string;
  removed(args: { candidate: string; position: string; when: string }): string;
  accepted(args: { interviewer: string; candidate: string; position: string; when: string }): string;
  declined(args: { interviewer: string; candidate: string; position: string; when: string }): string;
  pickReplacement: string;
  openInterview: string;
  openRoom: string;

  reminder: { title(candidate: string): string; body: string; button: string };
  candidateJoined(args: { candidate: string; position: string }): string;
  candidateLate: { title(candidate: string): string; body(when: string): string; button: string };
  feedback: { title(candidate: string): string; round(n: number, of: number): string; button: string };

  scorecard: {
    title(candidate: string): string;
    subtitle(args: { interviewer: string; rating: string; summary: string }): string;
    progress(submitted: number, expected: number): string;
    decidedSubtitle(label: string): string;
  };
  decisionNotice(args: { label: string; candidate: string; position: string }): string;

  digest: { title(date: string): string; none: string };
  bot: {
    todayTitle(date: string): string;
    weekTitle(from: string, to: string): string;
    pendingTitle: string;
    noneToday: string;
    noneThisWeek: string;
    nonePending: string;
    /** Lines of the help: command and what it does. */
    commands: readonly { command: string; does: string }[];
    helpTitle: string;
    unknown: string;
    welcome: string;
    openPairview: string;
  };
}
