/** Status words with their colour, the same everywhere. */
import type { Decision, InterviewSummary, InvitationResponse, MessageStatus, Rating } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { phaseOf, type Phase } from '../api/phase.ts';
import { Badge, type Tone } from './ui.tsx';

const responseTone: Record<InvitationResponse, Tone> = { pending: 'neutral', accepted: 'success', declined: 'danger' };

export function ResponseBadge({ response }: { response: InvitationResponse }) {
  const { t } = useI18n();
  return <Badge tone={responseTone[response]}>{t.response[response]}</Badge>;
}

const phaseTone: Record<Phase, Tone> = { upcoming: 'accent', live: 'success', ended: 'neutral', cancelled: 'danger', completed: 'neutral' };

export function PhaseBadge({ interview }: { interview: Pick<InterviewSummary, 'status' | 'startsAt' | 'endsAt'> }) {
  const { t } = useI18n();
  const phase = phaseOf(interview);
  return <Badge tone={phaseTone[phase]}>{t.phase[phase]}</Badge>;
}

export function FeedbackBadge({ feedback }: { feedback: InterviewSummary['feedback'] }) {
  const { t } = useI18n();
  if (feedback.status === 'not_needed') return <Badge>{t.feedback.notNeeded}</Badge>;
  const tone: Tone = feedback.status === 'complete' ? 'success' : feedback.submitted > 0 ? 'warning' : 'neutral';
  return <Badge tone={tone}>{t.feedback.count(feedback.submitted, feedback.expected)}</Badge>;
}

const decisionTone: Record<Decision, Tone> = { advance: 'success', another_round: 'warning', reject: 'danger' };

export function DecisionBadge({ decision }: { decision: Decision }) {
  const { t } = useI18n();
  return <Badge tone={decisionTone[decision]}>{t.decision[decision]}</Badge>;
}

const ratingTone: Record<Rating, Tone> = { strong_no: 'danger', no: 'warning', yes: 'success', strong_yes: 'success' };

export function RatingBadge({ rating }: { rating: Rating }) {
  const { t } = useI18n();
  return <Badge tone={ratingTone[rating]}>{t.rating[rating]}</Badge>;
}

const messageTone: Record<MessageStatus, Tone> = { queued: 'neutral', sending: 'accent', sent: 'success', failed: 'danger', dropped: 'warning' };

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  const { t } = useI18n();
  return <Badge tone={messageTone[status]}>{t.messageStatus[status]}</Badge>;
}
