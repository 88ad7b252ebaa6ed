/** The question bank's refusals, each once, in both languages. */
import { ConflictError, InvalidRequestError, NotFoundError, bodyField } from '../errors.ts';

export function questionNotFound(id: string): NotFoundError {
  return new NotFoundError({ code: 'question_not_found', en: `No question with id ${id}`, zh: `找不到 ID 为 ${id} 的题目。` });
}

export function questionChanged(): ConflictError {
  return new ConflictError({
    code: 'question_changed',
    en: 'This question was changed by someone else since you opened it: reload it and make your change again',
    zh: '你打开这道题之后，它已被其他人修改：请刷新后重新修改。',
  });
}

/** Scheduling with a question that is not in the bank, or archived (no longer offered). */
export function questionNotOffered(id: string, reason: 'unknown' | 'archived'): InvalidRequestError {
  const field =
    reason === 'unknown'
      ? { en: `There is no question with id ${id} in the bank`, zh: `题库中没有 ID 为 ${id} 的题目。` }
      : { en: 'This question is archived: restore it in the question bank, or pick another one', zh: '这道题已归档：请先在题库中恢复，或选择其他题目。' };
  return new InvalidRequestError({
    code: reason === 'unknown' ? 'question_unknown' : 'question_archived',
    en: `questionId: ${field.en.charAt(0).toLowerCase()}${field.en.slice(1)}`,
    zh: `题目：${field.zh}`,
    fields: [bodyField('questionId', reason === 'unknown' ? 'question_unknown' : 'question_archived', field)],
  });
}

/** The question is fixed once the interviewer pressed Start: the pad began from its starter code. */
export function questionLocked(): ConflictError {
  return new ConflictError({
    code: 'question_locked',
    en: 'The interview room has started: its question can no longer be changed',
    zh: '面试间已经开始，不能再更换题目。',
    fields: [
      bodyField('questionId', 'question_locked', {
        en: 'The room has started: the question can no longer be changed',
        zh: '面试间已经开始，不能再更换题目。',
      }),
    ],
  });
}
