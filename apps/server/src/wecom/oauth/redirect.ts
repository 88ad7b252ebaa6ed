/**
 * Where to go after signing in: only a path on Pairview itself. An open redirect (`?redirect=https://evil.example`,
 * `//evil.example`, `/\evil.example`) would let anyone's link send a freshly signed-in member to a page of theirs,
 * so such a value is refused, not silently replaced.
 */
import { InvalidRequestError } from '../../errors.ts';

const MAX_LENGTH = 2000;
// Browsers treat "\" as "/" and drop tabs and newlines, which turns "/\evil" or "/<TAB>/evil" into "//evil".
const UNSAFE = /[\\\u0000-\u001f\u007f]/;

/** The same-site path to land on (default `/`); throws InvalidRequestError naming what to fix. */
export function sameSitePath(redirect: string | undefined, publicUrl: URL): string {
  if (redirect === undefined || redirect === '') return '/';
  const refuse = () =>
    new InvalidRequestError({
      code: 'redirect_not_same_site',
      en: 'redirect must be a path on Pairview, such as /interviews/42 (no scheme, host or "//"): links elsewhere are refused',
      zh: 'redirect 必须是 Pairview 站内的路径，例如 /interviews/42（不能带协议、域名或 "//"）：不接受指向其他网站的链接。',
    });
  if (redirect.length > MAX_LENGTH || !redirect.startsWith('/') || redirect.startsWith('//') || UNSAFE.test(redirect)) throw refuse();
  let target: URL;
  try {
    target = new URL(redirect, publicUrl);
  } catch {
    throw refuse();
  }
  if (target.origin !== publicUrl.origin) throw refuse();
  return `${target.pathname}${target.search}${target.hash}`;
}
