/**
 * A question's test cases: stdin for the program and the stdout it must print, each visible (the candidate sees it
 * as an example beside the statement) or hidden (the panel only). Their limits, the input check with its refusals
 * in both languages, and the one place that decides what of them a candidate may see.
 */
import { z } from 'zod';
import type { TestCase } from '../db/schema.ts';

export type { TestCase };

/** Cases per question: a test run runs them one after another on the room's share of the runner. */
export const MAX_TEST_CASES = 20;
export const MAX_CASE_NAME = 100;
/** Input or expected output of one case: as much as a run's stdin (rooms/routes.ts). */
export const MAX_CASE_TEXT = 65_536;
/** All inputs and expected outputs together: the question stays well under the API's 1 MiB body. */
export const MAX_CASES_TOTAL = 262_144;

const caseSchema = z.object({
  name: z.string().trim().default(''),
  input: z.string().default(''),
  expected: z.string(),
  hidden: z.boolean().default(false),
});

const n = (value: number) => value.toLocaleString('en-US');

/**
 * The cases as the editor sends them, in order. Sizes are checked here rather than with zod's `max` so that each
 * refusal names the case (by its number, as the editor shows it) and how long it is.
 */
export const testCasesSchema = z.array(caseSchema).superRefine((cases, ctx) => {
  if (cases.length > MAX_TEST_CASES) {
    ctx.addIssue({
      code: 'custom',
      params: {
        code: 'too_many_test_cases',
        en: `At most ${MAX_TEST_CASES} test cases (there are ${cases.length}): remove some`,
        zh: `最多 ${MAX_TEST_CASES} 个测试用例（当前 ${cases.length} 个），请删除一些。`,
      },
    });
    return;
  }
  let total = 0;
  cases.forEach((testCase, i) => {
    const number = i + 1;
    if (testCase.name.length > MAX_CASE_NAME) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        params: {
          code: 'too_long',
          en: `Case ${number}: at most ${MAX_CASE_NAME} characters (it has ${testCase.name.length})`,
          zh: `第 ${number} 个用例：最多 ${MAX_CASE_NAME} 个字符（当前 ${testCase.name.length} 个）。`,
        },
      });
    }
    for (const field of ['input', 'expected'] as const) {
      const length = testCase[field].length;
      total += length;
      if (length > MAX_CASE_TEXT) {
        ctx.addIssue({
          code: 'custom',
          path: [i, field],
          params: {
            code: 'too_long',
            en: `Case ${number}: at most ${n(MAX_CASE_TEXT)} characters (it has ${n(length)})`,
            zh: `第 ${number} 个用例：最多 ${MAX_CASE_TEXT} 个字符（当前 ${length} 个）。`,
          },
        });
      }
    }
    if (testCase.expected.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'expected'],
        params: {
          code: 'required',
          en: `Case ${number}: write the output the program must print`,
          zh: `第 ${number} 个用例：请填写程序应输出的内容。`,
        },
      });
    }
  });
  if (total > MAX_CASES_TOTAL) {
    ctx.addIssue({
      code: 'custom',
      params: {
        code: 'test_cases_too_large',
        en: `All cases together: at most ${n(MAX_CASES_TOTAL)} characters of input and expected output (they have ${n(total)}): shorten or remove some`,
        zh: `所有用例的输入与预期输出合计最多 ${MAX_CASES_TOTAL} 个字符（当前 ${total} 个），请缩短或删除一些。`,
      },
    });
  }
});

/** A test case as read from the database: only the known fields, whatever an older row holds. */
export function storedTestCases(value: unknown): TestCase[] {
  if (!Array.isArray(value)) return [];
  return value.map((c: Partial<TestCase>) => ({
    name: typeof c.name === 'string' ? c.name : '',
    input: typeof c.input === 'string' ? c.input : '',
    expected: typeof c.expected === 'string' ? c.expected : '',
    hidden: c.hidden === true,
  }));
}

/** A visible case as the candidate sees it beside the statement. */
export interface TestExample {
  name: string;
  input: string;
  expected: string;
}

/**
 * The only cases a candidate may see: the visible ones, without the `hidden` flag (nothing hints that more
 * exist). Anything on its way to a candidate's page goes through here. Fails closed: a case is shown only when
 * it says `hidden: false`.
 */
export function visibleExamples(cases: readonly TestCase[]): TestExample[] {
  return cases.filter((c) => c.hidden === false).map((c) => ({ name: c.name, input: c.input, expected: c.expected }));
}
