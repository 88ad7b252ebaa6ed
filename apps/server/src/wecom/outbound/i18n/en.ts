/** English (PAIRVIEW_LOCALE=en). */
import type { Strings } from './strings.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const en: Strings = {
  weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  date: ({ month, day, weekday }) => `${weekday} ${day} ${MONTHS[month - 1]}`,
  minutes: (n) => `${n} min`,
  list: (items) => items.join(', '),
  source: 'Pairview interview',
  view: 'View',
  rating: { strong_no: 'Strong no', no: 'No', yes: 'Yes', strong_yes: 'Strong yes' },
  // WeCom allows 10 characters on a button (§3.2): "Another round" does not fit.
  decision: { advance: 'Advance', another_round: 'Add round', reject: 'Reject' },
  decided: (decision, by) => `${{ advance: 'Advanced', another_round: 'Another round', reject: 'Rejected' }[decision]} by ${by}`,

  field: {
    candidate: 'Candidate',
    position: 'Position',
    time: 'Time',
    duration: 'Duration',
    interviewers: 'Panel',
    interviewer: 'Interviewer',
    rating: 'Rating',
    ratings: 'All so far',
    feedback: 'Feedback',
  },

  invite: {
    title: (candidate) => `Interview: ${candidate}`,
    subtitle: 'Will you interview? Accept or decline below.',
    rescheduledTitle: (candidate) => `Interview moved: ${candidate}`,
    rescheduledSubtitle: (from, to) => `Moved from ${from} to ${to}. Please confirm again.`,
    accept: 'Accept',
    decline: 'Decline',
    join: 'Join room',
    closed: { rescheduled: 'Rescheduled', cancelled: 'Cancelled', removed: 'Removed' },
  },

  updated: { title: (candidate) => `Interview changed: ${candidate}`, body: 'The position, length or hiring manager changed.' },
  cancelled: ({ candidate, position, when, reason }) =>
    `Interview cancelled: ${candidate} (${position}), was ${when}.${reason ? `\nReason: ${reason}` : ''}`,
  removed: ({ candidate, position, when }) => `You are no longer on the panel of this interview: ${candidate} (${position}), ${when}.`,
  accepted: ({ interviewer, candidate, position, when }) => `${interviewer} accepted the interview: ${candidate} (${position}), ${when}.`,
  declined: ({ interviewer, candidate, position, when }) => `${interviewer} declined the interview: ${candidate} (${position}), ${when}.`,
  pickReplacement: 'Pick a replacement',
  openInterview: 'Open the interview',
  openRoom: 'Join the room',

  reminder: { title: (candidate) => `Interview in 15 minutes: ${candidate}`, body: 'The interview starts soon: join the room on time.', button: 'Join' },
  candidateJoined: ({ candidate, position }) => `${candidate} has joined the room (${position}).`,
  candidateLate: {
    title: (candidate) => `Candidate not here yet: ${candidate}`,
    body: (when) => `The interview (${when}) started 5 minutes ago and the candidate has not joined the room.`,
    button: 'Join',
  },
  feedback: {
    title: (candidate) => `Write your feedback: ${candidate}`,
    round: (n, of) => `Reminder ${n} of ${of}`,
    button: 'Open',
  },

  scorecard: {
    title: (candidate) => `Feedback: ${candidate}`,
    subtitle: ({ interviewer, rating, summary }) => `${interviewer}: ${rating}${summary ? `. ${summary}` : ''}`,
    progress: (submitted, expected) => `${submitted} of ${expected} in`,
    decidedSubtitle: (label) => `Decided: ${label}`,
  },
  decisionNotice: ({ label, candidate, position }) => `Decision on ${candidate} (${position}): ${label}.`,

  digest: { title: (date) => `Today's interviews (${date})`, none: 'No interviews today.' },
  bot: {
    todayTitle: (date) => `Today's interviews (${date})`,
    weekTitle: (from, to) => `This week's interviews (${from} – ${to})`,
    pendingTitle: 'Feedback to write',
    noneToday: 'No interviews today.',
    noneThisWeek: 'No interviews this week.',
    nonePending: 'No feedback to write.',
    commands: [
      { command: 'today / 今天', does: "today's interviews" },
      { command: 'week / 本周', does: "this week's interviews" },
      { command: 'pending / 待面评', does: 'feedback you still owe' },
      { command: 'help / 帮助', does: 'these commands' },
    ],
    helpTitle: 'Send one of these:',
    unknown: 'Sorry, I did not understand that.',
    welcome: 'Welcome to Pairview! Interview invitations, reminders and feedback requests arrive here.',
    openPairview: 'Open Pairview',
  },
};
