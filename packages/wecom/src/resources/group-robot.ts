/**
 * A group robot's webhook (wecom-protocol.md §9.2): `POST /cgi-bin/webhook/send?key=KEY` with no access token — the
 * key is the credential, so it is treated like a secret (never printed; the quota name carries a hash of it).
 */
import { createHash } from 'node:crypto';
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import { Checker } from '../messages/checker.ts';
import { validateRobotMessage, type RobotMessage } from '../messages/robot.ts';
import { buildMediaForm, type MediaFile } from './media.ts';

/** §9.2: robot uploads are file (≤20 MB) or voice (≤2 MB, AMR). */
const ROBOT_MEDIA_MAX_BYTES = { file: 20 * 1024 * 1024, voice: 2 * 1024 * 1024 };

/** The key is the last part of the webhook URL (`…/webhook/send?key=KEY`); a UUID in practice. */
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

type Signal = { signal?: AbortSignal };

export class GroupRobot {
  readonly #api: ApiCaller;
  readonly #key: string;
  readonly #quota: string;

  /** `key` may be the bare key or the whole webhook URL WeCom shows when the robot is added. */
  constructor(api: ApiCaller, keyOrUrl: string) {
    this.#api = api;
    this.#key = parseKey(keyOrUrl);
    // 20 messages/minute per robot (§9.2, 45009 above it). Named by a hash so the key never reaches a limiter store.
    this.#quota = `robot:${createHash('sha256').update(this.#key).digest('hex').slice(0, 16)}`;
  }

  /** The quota this robot's sends take (`robot:<hash of key>`). */
  get quota(): string {
    return this.#quota;
  }

  /** Posts a message to the group. Never retried after an unknown outcome: the webhook has no duplicate check. */
  async send(message: RobotMessage, options: Signal = {}): Promise<void> {
    validateRobotMessage(message);
    await this.#api.call({
      method: 'POST',
      path: '/cgi-bin/webhook/send',
      query: { key: this.#key },
      body: message,
      auth: 'none',
      retry: 'once-only',
      quotas: [this.#quota],
      signal: options.signal,
    });
  }

  /** `POST /cgi-bin/webhook/upload_media?type=file|voice` → a media_id usable only by this robot, for 3 days. */
  async uploadMedia(type: 'file' | 'voice', file: MediaFile, options: Signal = {}): Promise<string> {
    const form = buildMediaForm(type, file, ROBOT_MEDIA_MAX_BYTES);
    const r = await this.#api.call<WeComResponse & { media_id: string }>({
      method: 'POST',
      path: '/cgi-bin/webhook/upload_media',
      query: { key: this.#key, type },
      form,
      auth: 'none',
      retry: 'idempotent',
      signal: options.signal,
    });
    return r.media_id;
  }

  /** Keeps the key out of logs and inspection. */
  toJSON(): Record<string, string> {
    return { quota: this.#quota };
  }
}

function parseKey(keyOrUrl: string): string {
  const c = new Checker();
  if (!c.string('key', keyOrUrl, { required: true, hint: 'the key= part of the robot\'s webhook URL' })) c.throwIfAny('group robot');
  let key = keyOrUrl.trim();
  if (/^https?:\/\//i.test(key)) {
    key = new URL(key).searchParams.get('key') ?? '';
  }
  if (!KEY.test(key)) {
    c.add('key', 'the robot key must be the key= value of its webhook URL (letters, digits, "-" and "_")');
    c.throwIfAny('group robot');
  }
  return key;
}
