/**
 * The sign-in routes answer browsers, not the web app's fetch calls: a refusal is a small HTML page that says what
 * happened and links to a fresh start, with the HTTP status an API client would expect. It is in Chinese and
 * English, Pairview's locale first: the member may read the other language (the web app's toggle), and nobody is
 * signed in yet to ask.
 */
import type { FastifyReply } from 'fastify';
import type { Locale } from '../../config.ts';

export type SignInProblem =
  | 'bad_request'
  | 'state'
  | 'cancelled'
  | 'code'
  | 'outsider'
  | 'not_in_directory'
  | 'deactivated'
  | 'wecom_unavailable';

const TEXT: Record<Locale, { title: string; again: string } & Record<SignInProblem, string>> = {
  zh: {
    title: '无法登录 Pairview',
    again: '重新登录',
    bad_request: '登录链接有误。',
    state: '此登录链接已过期、已被使用，或是在另一个浏览器中发起的，请在这里重新登录。',
    cancelled: '已在企业微信中取消登录，请重新登录。',
    code: '企业微信登录凭证已过期或已被使用，请重新登录。',
    outsider: 'Pairview 仅供本企业企业微信成员使用，此账号不是本企业成员。',
    not_in_directory: '你的企业微信账号尚未同步到 Pairview 通讯录：请联系管理员同步通讯录，或将你加入应用的可见范围。',
    deactivated: '你的企业微信账号在 Pairview 通讯录中已停用。',
    wecom_unavailable: '暂时无法通过企业微信确认你的身份，请稍后重试。',
  },
  en: {
    title: 'Could not sign you in to Pairview',
    again: 'Sign in again',
    bad_request: 'This sign-in link is not valid.',
    state: 'This sign-in link has expired, was already used, or was started in another browser: start the sign-in again here.',
    cancelled: 'The sign-in was cancelled in WeCom: start it again.',
    code: 'The WeCom sign-in code has expired or was already used: start the sign-in again.',
    outsider: 'Pairview is for members of the company\'s WeCom, and this account is not one.',
    not_in_directory:
      'Your WeCom account is not in Pairview\'s directory yet: ask an admin to sync the directory, or to add you to the app\'s visible range.',
    deactivated: 'Your WeCom account is deactivated in Pairview\'s directory.',
    wecom_unavailable: 'WeCom could not confirm who you are right now: try again in a moment.',
  },
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What was wrong, in both languages (e.g. the refused redirect: the error's `message` and `messageZh`). */
export interface ProblemDetail {
  en: string;
  zh: string;
}

const LANG: Record<Locale, string> = { zh: 'zh-CN', en: 'en' };

export function sendProblemPage(
  reply: FastifyReply,
  options: { status: number; problem: SignInProblem; detail?: ProblemDetail; locale: Locale; retryHref: string },
): FastifyReply {
  const order: Locale[] = options.locale === 'zh' ? ['zh', 'en'] : ['en', 'zh'];
  const section = (locale: Locale) => {
    const text = TEXT[locale];
    const detail = options.detail?.[locale];
    const message = detail ? `${text[options.problem]} ${detail}` : text[options.problem];
    return `<section lang="${LANG[locale]}"><h1>${escape(text.title)}</h1><p>${escape(message)}</p><p><a href="${escape(options.retryHref)}">${escape(text.again)}</a></p></section>`;
  };
  const html = `<!doctype html>
<html lang="${LANG[options.locale]}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${order.map((locale) => escape(TEXT[locale].title)).join(' · ')}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2329}a{color:#1664ff}section+section{margin-top:2rem;padding-top:1rem;border-top:1px solid #dee0e3;color:#646a73}h1{font-size:1.4rem}</style></head>
<body>${order.map(section).join('\n')}</body></html>
`;
  return reply
    .code(options.status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .send(html);
}
