/**
 * Temporary media (wecom-protocol.md §3.7, §9.2): uploaded files, valid 3 days. App media ids are shared by the
 * corp's apps; a group robot's ids work only for that robot.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

export const MEDIA_TTL_MS = 3 * 24 * 3600_000;

export interface StoredMedia {
  mediaId: string;
  type: 'image' | 'voice' | 'video' | 'file';
  filename: string;
  contentType: string;
  data: Buffer;
  createdAt: number;
  /** Set for webhook/upload_media: only this robot may use it. */
  robotKey?: string;
}

export class MediaStore {
  readonly #clock: Clock;
  readonly #media = new Map<string, StoredMedia>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(media: Omit<StoredMedia, 'mediaId' | 'createdAt'>): StoredMedia {
    // Shaped like WeCom's ids ("1G6nrLmr5EC3MNb_-zL1dDdzkd0p7cNliYu9V5w7o8K0").
    const stored: StoredMedia = { ...media, mediaId: `1${randomBytes(32).toString('base64url').slice(0, 43)}`, createdAt: this.#clock.now() };
    this.#media.set(stored.mediaId, stored);
    return stored;
  }

  /** The media if it exists, has not expired, and may be used by this caller (an app when robotKey is undefined). */
  get(mediaId: string, robotKey?: string): StoredMedia | undefined {
    const media = this.#media.get(mediaId);
    if (!media || media.createdAt + MEDIA_TTL_MS <= this.#clock.now()) return undefined;
    if (media.robotKey !== robotKey) return undefined;
    return media;
  }

  clear(): void {
    this.#media.clear();
  }
}
