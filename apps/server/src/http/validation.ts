/**
 * Input that does not match a route's zod schema becomes one human sentence per field, in English and Chinese,
 * with a stable code (`required`, `too_long`, `invalid_email`, …) — never zod's own wording, which speaks of
 * "expected string to have >=1 characters". The sentence sits beside its field in the web app, so it does not
 * repeat the field's name; the error's overall message does, with the labels below.
 */
import type { z } from 'zod';
import { InvalidRequestError, type Bilingual, type FieldLocation, type FieldProblem } from '../errors.ts';

/** Names of the fields Pairview's routes take, as people read them (the overall message lists them). */
const LABELS: Record<string, Bilingual> = {
  'candidate': { en: 'Candidate', zh: '候选人' },
  'candidate.name': { en: 'Candidate name', zh: '候选人姓名' },
  'candidate.email': { en: 'Candidate email', zh: '候选人邮箱' },
  'candidate.phone': { en: 'Candidate phone', zh: '候选人手机号' },
  'position': { en: 'Position', zh: '职位' },
  'startsAt': { en: 'Start time', zh: '开始时间' },
  'durationMinutes': { en: 'Duration', zh: '时长' },
  'interviewerIds': { en: 'Interviewers', zh: '面试官' },
  'hiringManagerId': { en: 'Hiring manager', zh: '用人经理' },
  'version': { en: 'Version', zh: '版本' },
  'reason': { en: 'Reason', zh: '原因' },
  'response': { en: 'Answer', zh: '回复' },
  'rating': { en: 'Overall rating', zh: '总体评价' },
  'skillNotes': { en: 'Skill notes', zh: '分项记录' },
  'skillNotes.skill': { en: 'Skill', zh: '考察项' },
  'skillNotes.note': { en: 'Note', zh: '记录' },
  'summary': { en: 'Summary', zh: '总结' },
  'decision': { en: 'Decision', zh: '结论' },
  'name': { en: 'Name', zh: '姓名' },
  'roles': { en: 'Roles', zh: '角色' },
  'id': { en: 'Id', zh: 'ID' },
  'token': { en: 'Link', zh: '链接' },
  // The question bank (questions/routes.ts) and the question of an interview.
  'title': { en: 'Title', zh: '标题' },
  'statement': { en: 'Statement', zh: '题目描述' },
  'difficulty': { en: 'Difficulty', zh: '难度' },
  'tags': { en: 'Tags', zh: '标签' },
  'starterCode': { en: 'Starter code', zh: '初始代码' },
  'guidance': { en: 'Interviewer guidance', zh: '面试官指引' },
  'updatedAt': { en: 'Last change', zh: '最近修改时间' },
  'questionId': { en: 'Question', zh: '题目' },
  'testCases': { en: 'Test cases', zh: '测试用例' },
  'testCases.name': { en: 'Test case name', zh: '用例名称' },
  'testCases.input': { en: 'Test case input', zh: '用例输入' },
  'testCases.expected': { en: 'Expected output', zh: '预期输出' },
  'testCases.hidden': { en: 'Hidden', zh: '隐藏' },
  'archived': { en: 'Archived', zh: '已归档' },
  // Query strings of the lists.
  'status': { en: 'Status', zh: '状态' },
  'kind': { en: 'Kind', zh: '类型' },
  'recipientId': { en: 'Recipient', zh: '收件人' },
  'interviewId': { en: 'Interview', zh: '面试' },
  'eventType': { en: 'Event type', zh: '事件类型' },
  'active': { en: 'Active', zh: '在职' },
  'role': { en: 'Role', zh: '角色' },
  'search': { en: 'Search', zh: '搜索' },
  'mine': { en: 'Mine', zh: '仅我的' },
  'order': { en: 'Order', zh: '排序' },
  'limit': { en: 'Limit', zh: '数量上限' },
  'from': { en: 'From', zh: '开始于' },
  'to': { en: 'To', zh: '截止于' },
  'before': { en: 'Before', zh: '早于' },
  'cursor': { en: 'Cursor', zh: '分页游标' },
};

/** The label of a field path (array indexes ignored), or the path itself. */
export function fieldLabel(path: string): Bilingual {
  const key = path
    .split('.')
    .filter((segment) => !/^\d+$/.test(segment))
    .join('.');
  return LABELS[key] ?? { en: path, zh: path };
}

const TYPE_NAMES: Record<string, Bilingual> = {
  string: { en: 'text', zh: '文本' },
  number: { en: 'a number', zh: '数字' },
  int: { en: 'a whole number', zh: '整数' },
  boolean: { en: 'true or false', zh: 'true 或 false' },
  array: { en: 'a list', zh: '列表' },
  object: { en: 'an object', zh: '对象' },
};

const FORMATS: Record<string, { code: string; message: Bilingual }> = {
  email: { code: 'invalid_email', message: { en: 'Enter a valid email address, such as name@example.com', zh: '请输入有效的邮箱地址，例如 name@example.com。' } },
  uuid: { code: 'invalid_id', message: { en: 'Must be an id Pairview gave out (a UUID)', zh: '应为 Pairview 提供的 ID（UUID）。' } },
  datetime: {
    code: 'invalid_datetime',
    message: { en: 'Enter a date and time with its time zone, such as 2030-01-08T14:00:00+08:00', zh: '请输入带时区的日期和时间，例如 2030-01-08T14:00:00+08:00。' },
  },
  url: { code: 'invalid_url', message: { en: 'Enter a full address starting with https://', zh: '请输入以 https:// 开头的完整地址。' } },
};

const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** One zod issue as a field problem: a stable code and a sentence in each language. */
function describe(issue: z.core.$ZodIssue): { code: string; message: Bilingual } {
  switch (issue.code) {
    case 'invalid_type': {
      // Parsed with reportInput: a missing value has no `input` at all.
      if (!('input' in issue) || issue.input === undefined) return { code: 'required', message: { en: 'Required', zh: '请填写此项。' } };
      if (issue.input === null) return { code: 'required', message: { en: 'Required (it cannot be null)', zh: '请填写此项（不能为空值）。' } };
      const name = TYPE_NAMES[issue.expected] ?? { en: issue.expected, zh: issue.expected };
      return { code: 'invalid_type', message: { en: `Must be ${name.en}`, zh: `应为${name.zh}。` } };
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') {
        return min <= 1
          ? { code: 'required', message: { en: 'Required: it cannot be empty', zh: '请填写此项，不能为空。' } }
          : { code: 'too_short', message: { en: `Must be at least ${min} characters`, zh: `至少需要 ${min} 个字符。` } };
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return { code: 'too_few', message: { en: `Pick at least ${min}`, zh: `请至少选择 ${min} 项。` } };
      }
      // .positive() is "more than 0" (exclusive), .min(5) "at least 5".
      return issue.inclusive === false
        ? { code: 'too_small', message: { en: `Must be more than ${min}`, zh: `必须大于 ${min}。` } }
        : { code: 'too_small', message: { en: `Must be at least ${min}`, zh: `不能小于 ${min}。` } };
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return { code: 'too_long', message: { en: `Must be at most ${max} characters`, zh: `最多 ${max} 个字符。` } };
      if (issue.origin === 'array' || issue.origin === 'set') return { code: 'too_many', message: { en: `At most ${max}`, zh: `最多 ${max} 项。` } };
      return issue.inclusive === false
        ? { code: 'too_big', message: { en: `Must be less than ${max}`, zh: `必须小于 ${max}。` } }
        : { code: 'too_big', message: { en: `Must be at most ${max}`, zh: `不能大于 ${max}。` } };
    }
    case 'invalid_format':
      return FORMATS[issue.format] ?? { code: 'invalid_format', message: { en: `Not a valid ${issue.format}`, zh: `格式不正确（应为 ${issue.format}）。` } };
    case 'invalid_value':
      return issue.values.length === 1
        ? { code: 'invalid_value', message: { en: `Must be ${quoted(issue.values)}`, zh: `只能是 ${quoted(issue.values)}。` } }
        : { code: 'invalid_choice', message: { en: `Must be one of ${quoted(issue.values)}`, zh: `只能是以下之一：${quoted(issue.values)}。` } };
    case 'unrecognized_keys':
      return { code: 'unknown_field', message: { en: `Unknown field: ${issue.keys.join(', ')}`, zh: `无法识别的字段：${issue.keys.join('、')}。` } };
    case 'custom': {
      // A route's own check says what is wrong in its own words: params { code, en, zh }.
      const own = issue.params as { code?: unknown; en?: unknown; zh?: unknown } | undefined;
      if (typeof own?.code === 'string' && typeof own.en === 'string' && typeof own.zh === 'string') {
        return { code: own.code, message: { en: own.en, zh: own.zh } };
      }
      return { code: 'invalid', message: { en: 'Not valid here', zh: '内容无效。' } };
    }
    case 'not_multiple_of':
      return { code: 'not_multiple', message: { en: `Must be a multiple of ${String(issue.divisor)}`, zh: `应为 ${String(issue.divisor)} 的倍数。` } };
    default:
      return { code: 'invalid', message: { en: 'Not valid here', zh: '内容无效。' } };
  }
}

/** Every issue as a field problem (the first per field: one sentence beside each field is enough). */
export function fieldProblems(error: z.ZodError, where: FieldLocation): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (problems.some((p) => p.path === path)) continue;
    problems.push({ in: where, path, ...describe(issue) });
  }
  return problems;
}

/** The 400 for input that does not match its schema: each field's problem, and all of them in one message. */
export function validationError(error: z.ZodError, where: FieldLocation): InvalidRequestError {
  const fields = fieldProblems(error, where);
  // The whole input (path ''): "the request body" when the body is missing or not an object.
  const whole: Bilingual = where === 'body' ? { en: 'The request body', zh: '请求内容' } : { en: `The ${where}`, zh: where };
  const en = fields.map((f) => `${(f.path ? fieldLabel(f.path) : whole).en}: ${f.message.en.charAt(0).toLowerCase()}${f.message.en.slice(1)}`);
  const zh = fields.map((f) => `${(f.path ? fieldLabel(f.path) : whole).zh}：${f.message.zh.replace(/。$/, '')}`);
  return new InvalidRequestError({
    code: 'validation_failed',
    en: en.join('; '),
    zh: `${zh.join('；')}。`,
    fields,
  });
}
