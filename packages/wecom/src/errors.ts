/**
 * Errors. WeCom answers business errors with HTTP 200 and an `errcode` (wecom-protocol.md §1.4); one base class
 * carries what the response said, subclasses say what kind of failure it is, and `errorFromResponse` is the
 * single place that maps errcodes to classes. Transport failures (HTTP status, network) have their own classes
 * because there is no errcode to speak of. No message ever contains a token, secret or request URL query.
 */
import errcodeTable from '../data/errcodes.json' with { type: 'json' };

/** One row of the shipped errcode table (wecom-protocol.md Appendix A). */
export interface ErrcodeInfo {
  /** English description. */
  readonly en: string;
  /** The official Chinese 说明. */
  readonly zh: string;
  /** The official troubleshooting summary (Chinese), where short enough to ship. */
  readonly zhHelp?: string;
}

const TABLE = errcodeTable.codes as Readonly<Record<string, ErrcodeInfo>>;

/** Looks up an errcode in the shipped table (470 codes relevant to self-built apps). */
export function describeErrcode(errcode: number): ErrcodeInfo | undefined {
  return Object.hasOwn(TABLE, String(errcode)) ? TABLE[String(errcode)] : undefined;
}

/** Every errcode in the shipped table, ascending. */
export function knownErrcodes(): number[] {
  return Object.keys(TABLE)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface ParsedErrmsg {
  /** The English text before `, hint:` (e.g. `api freq out of limit`). */
  readonly text: string;
  /** WeCom's request id, quoted when asking WeCom support. */
  readonly hint?: string;
  /** The caller IP WeCom saw (may be empty in real responses). */
  readonly ip?: string;
  readonly moreInfo?: string;
}

/**
 * Current errmsg format (§1.7): `<text>, hint: [<id>], from ip: <ip>, more info at <url>`; older responses carry
 * only the text, or `text hint: [id]` without the comma. Parsed loosely: errmsg texts may change (D-90455).
 */
const ERRMSG_PATTERN = /^(.*?)(?:,?\s*hint:\s*\[([^\]]*)\])?(?:,\s*from ip:\s*([^,]*?))?(?:,\s*more info at\s+(\S+))?\s*$/s;

export function parseErrmsg(errmsg: string): ParsedErrmsg {
  const match = ERRMSG_PATTERN.exec(errmsg ?? '');
  if (!match) return { text: errmsg ?? '' };
  const [, text = '', hint, ip, moreInfo] = match;
  return {
    text: text.trim(),
    ...(hint !== undefined && { hint }),
    ...(ip !== undefined && { ip: ip.trim() }),
    ...(moreInfo !== undefined && { moreInfo }),
  };
}

export type WeComErrorKind =
  | 'api'
  | 'token'
  | 'rate_limit'
  | 'system_busy'
  | 'trusted_ip'
  | 'permission'
  | 'invalid_input';

/** The parsed JSON of a failed call: errcode ≠ 0, plus whatever business fields came with it (e.g. invaliduser). */
export interface ErrorResponse {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

export interface WeComErrorInit {
  /** The API path, e.g. `/cgi-bin/message/send`. */
  path: string;
  response: ErrorResponse;
}

/** Raised when WeCom answers a call with a non-zero errcode that has no more specific class. */
export class WeComError extends Error {
  readonly kind: WeComErrorKind = 'api';
  readonly errcode: number;
  /** The errmsg as received. */
  readonly errmsg: string;
  readonly text: string;
  readonly hint: string | undefined;
  readonly ip: string | undefined;
  readonly moreInfo: string | undefined;
  readonly path: string;
  /** English description from the shipped table, when the code is in it. */
  readonly description: string | undefined;
  /** The whole response body; failures keep business fields, e.g. 81013 still lists `invaliduser` (§1.8). */
  readonly response: Readonly<ErrorResponse>;

  constructor(init: WeComErrorInit, message?: string) {
    const errcode = Number(init.response.errcode);
    const errmsg = String(init.response.errmsg ?? '');
    const parsed = parseErrmsg(errmsg);
    const description = describeErrcode(errcode)?.en;
    super(message ?? defaultMessage(errcode, parsed.text, description, init.path));
    this.name = new.target.name;
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.text = parsed.text;
    this.hint = parsed.hint;
    this.ip = parsed.ip;
    this.moreInfo = parsed.moreInfo;
    this.path = init.path;
    this.description = description;
    this.response = init.response;
  }
}

function defaultMessage(errcode: number, text: string, description: string | undefined, path: string): string {
  const said = text || description || 'no errmsg';
  const explained = description && description.toLowerCase() !== said.toLowerCase() ? ` (${description})` : '';
  return `errcode ${errcode}: ${said}${explained} on ${path}`;
}

/**
 * Raised when WeCom rejects the access token (40014 invalid, 42001 expired, 41001 missing) or the credentials
 * used to get one (40001 wrong secret, 40013 wrong corpid, …). The pipeline refreshes and retries once itself.
 */
export class WeComTokenError extends WeComError {
  override readonly kind = 'token' as const;

  constructor(init: WeComErrorInit) {
    const isGettoken = init.path.endsWith('/gettoken');
    super(
      init,
      isGettoken
        ? `${defaultMessage(init.response.errcode, parseErrmsg(init.response.errmsg).text, describeErrcode(init.response.errcode)?.en, init.path)}: check the corpId and the app's secret (WECOM_CORP_ID, WECOM_SECRET), and that the app is enabled`
        : undefined,
    );
  }

  /** Whether a fresh token can fix it (40001/40014/42001/42009); 41001 or a gettoken failure cannot. */
  get refreshable(): boolean {
    return REFRESH_TOKEN_ERRCODES.has(this.errcode) && !this.path.endsWith('/gettoken');
  }
}

/** Raised on 45009 (frequency limit) or 45033 (concurrency limit) once the pipeline's retries are spent. */
export class WeComRateLimitError extends WeComError {
  override readonly kind = 'rate_limit' as const;
}

/** Raised on -1 (system busy) once the pipeline's retries are spent. */
export class WeComSystemBusyError extends WeComError {
  override readonly kind = 'system_busy' as const;
}

/** Raised on 60020: the calling server's IP is not among the app's trusted IPs. */
export class WeComTrustedIpError extends WeComError {
  override readonly kind = 'trusted_ip' as const;

  constructor(init: WeComErrorInit) {
    const ip = parseErrmsg(init.response.errmsg).ip;
    const who = ip ? `IP ${ip}` : "this server's public IP (WeCom did not say which)";
    super(
      init,
      `errcode 60020: WeCom refused the call to ${init.path} from ${who}. Add ${ip || 'that IP'} to the app's ` +
        "trusted IPs (admin console → the app → Trusted IP / 企业可信IP); it takes effect about 1 minute after saving.",
    );
  }
}

/** Raised when the app lacks permission: 48002 API not allowed, 60011 target outside its range, 301002 wrong agentid. */
export class WeComPermissionError extends WeComError {
  override readonly kind = 'permission' as const;
}

/** Raised when WeCom refuses the request's content: bad ids, missing or oversized fields, card errors, no valid recipient. */
export class WeComInvalidInputError extends WeComError {
  override readonly kind = 'invalid_input' as const;
}

/** Raised when WeCom answers with an HTTP status other than 200 (404 for an unknown path, 5xx) or a body that is not JSON. */
export class WeComHttpError extends Error {
  readonly status: number;
  readonly path: string;

  constructor(path: string, status: number, reason?: string) {
    super(
      reason ??
        (status === 404
          ? `HTTP 404 on ${path}: WeCom has no such API (check the path and the baseUrl)`
          : `HTTP ${status} on ${path}`),
    );
    this.name = 'WeComHttpError';
    this.status = status;
    this.path = path;
  }
}

/** Raised when WeCom could not be reached or did not answer in time; `outcomeUnknown` if the request may have arrived. */
export class WeComNetworkError extends Error {
  readonly path: string;
  /** True when the body was (or may have been) sent: WeCom may have acted on it (timeout, socket drop). */
  readonly outcomeUnknown: boolean;
  readonly timedOut: boolean;

  constructor(path: string, options: { outcomeUnknown: boolean; timedOut?: boolean; cause?: unknown }) {
    const what = options.timedOut ? 'timed out' : `failed (${describeCause(options.cause)})`;
    super(
      `request to ${path} ${what}${options.outcomeUnknown ? '; WeCom may or may not have received it' : ''}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'WeComNetworkError';
    this.path = path;
    this.outcomeUnknown = options.outcomeUnknown;
    this.timedOut = options.timedOut ?? false;
  }
}

function describeCause(cause: unknown): string {
  // undici wraps the socket error: fetch failed → cause ECONNREFUSED etc. Codes only: no URL, hence no token.
  const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code ?? inner?.code;
  if (typeof code === 'string') return code;
  return cause instanceof Error ? cause.name : 'unknown error';
}

/** Raised by `resolveConfig`/`fromEnv` when a setting is missing or malformed; names the setting, never its value. */
export class ConfigError extends Error {
  /** The field (`agentId`) or environment variable (`WECOM_AGENT_ID`) at fault. */
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

// --- errcode → class -------------------------------------------------------------------------------------------

/** §1.10: codes a fresh token can fix. 40001 is in the set because some expired tokens answer it (WxJava, Eric-Guo/wechat#57). */
export const REFRESH_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001, 42009]);

/** Token and credential errors (§2, §4). */
const TOKEN_ERRCODES = new Set([40001, 40014, 42001, 42009, 41001, 40013, 40091, 41002, 41004]);
/** §5: both mean "slow down"; the pipeline backs off and retries. */
const RATE_LIMIT_ERRCODES = new Set([45009, 45033]);
const PERMISSION_ERRCODES = new Set([
  48001, 48002, 48004, 48006, 48008, 48009, 50001, 50002, 50003, 60011, 60021, 60030, 60031, 81011, 86008, 86101,
  92000, 92001, 92002, 92003, 301002,
]);
/** Codes the APIs this SDK covers return for a bad request (§3–§10, Appendix A). */
const INVALID_INPUT_ERRCODES = new Set([
  // ids, types, sizes, parameters
  40003, 40004, 40005, 40006, 40007, 40008, 40009, 40011, 40029, 40031, 40032, 40033, 40035, 40039, 40050, 40056,
  40058, 40063, 40066, 40068, 40070, 40073, 40074, 40093, 40094, 40123, 40206,
  // missing parameters
  41006, 41008, 41009, 41010, 41011, 41016, 41017, 41019, 41033,
  // OAuth codes, task cards, template cards (42027–42051), recall window
  42003, 42022, 42014, 42015, 42016, 42017, 42018, 42019, 42020, 42027, 42028, 42029, 42030, 42031, 42033, 42035,
  42036, 42037, 42038, 42039, 42040, 42041, 42042, 42043, 42044, 42045, 42046, 42047, 42049, 42050, 42051, 42052,
  // content
  44001, 44004, 45001, 45002, 45007, 45008, 45032, 45034,
  // contacts
  60001, 60003, 60004, 60009, 60103, 60105, 60107, 60110, 60111, 60112, 60123, 60124, 60125, 60127, 60129, 60140,
  // recipients
  81012, 81013, 81014, 82001, 82002, 82003, 82004, 82101, 82102,
  // appchat
  86001, 86003, 86004, 86005, 86006, 86007, 86201, 86202, 86203, 86204, 86205, 86206, 86207, 86214, 86215, 86216,
  86217, 86220,
  // tickets, robots, user fields
  91040, 93000, 93006, 301012, 301013, 301014, 301015, 301016, 301017, 301021,
]);

/** The class `errorFromResponse` picks for an errcode. */
export function errorClassFor(errcode: number): typeof WeComError {
  if (errcode === -1) return WeComSystemBusyError;
  if (errcode === 60020) return WeComTrustedIpError;
  if (TOKEN_ERRCODES.has(errcode)) return WeComTokenError;
  if (RATE_LIMIT_ERRCODES.has(errcode)) return WeComRateLimitError;
  if (PERMISSION_ERRCODES.has(errcode)) return WeComPermissionError;
  if (INVALID_INPUT_ERRCODES.has(errcode)) return WeComInvalidInputError;
  return WeComError;
}

/** The one factory: a failed response (errcode ≠ 0) from `path` → the matching WeComError subclass. */
export function errorFromResponse(path: string, response: ErrorResponse): WeComError {
  const Class = errorClassFor(Number(response.errcode));
  return new Class({ path, response });
}
