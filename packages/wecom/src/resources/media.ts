/**
 * Temporary media: `POST /cgi-bin/media/upload?type=TYPE` (wecom-protocol.md §3.7). The media_id it returns is what
 * image, voice, video and file messages (and mpnews thumbnails) refer to; it lasts 3 days.
 */
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import { Checker } from '../messages/checker.ts';

export type MediaType = 'image' | 'voice' | 'video' | 'file';

export interface MediaFile {
  /** Shown to recipients of a file message; required by WeCom's multipart parser. */
  filename: string;
  data: Uint8Array | Blob;
  /** Default `application/octet-stream`. */
  contentType?: string;
}

const MB = 1024 * 1024;
/** §3.7 size limits per type (image: 10 MB per the upload doc; the 45001 text says 5 MB — §12 point 9). */
export const MEDIA_MAX_BYTES: Record<MediaType, number> = { image: 10 * MB, voice: 2 * MB, video: 10 * MB, file: 20 * MB };
/** §3.7: every file must be larger than 5 bytes. */
const MEDIA_MIN_BYTES = 6;

interface UploadResponse extends WeComResponse {
  type: string;
  media_id: string;
  created_at: string;
}

export class MediaApi {
  readonly #api: ApiCaller;

  constructor(api: ApiCaller) {
    this.#api = api;
  }

  /** Uploads a temporary file and returns its media_id. Multipart field `media`, as WeCom requires. */
  async upload(type: MediaType, file: MediaFile, options: { signal?: AbortSignal } = {}): Promise<string> {
    const form = buildMediaForm(type, file, MEDIA_MAX_BYTES);
    const response = await this.#api.call<UploadResponse>({
      method: 'POST',
      path: '/cgi-bin/media/upload',
      query: { type },
      form,
      // A repeated upload only creates a second, unused media_id.
      retry: 'idempotent',
      signal: options.signal,
    });
    return response.media_id;
  }
}

/** Validates a file against the per-type limits and wraps it as the multipart body WeCom expects. */
export function buildMediaForm<T extends string>(type: T, file: MediaFile, limits: Record<T, number>): FormData {
  const c = new Checker();
  if (!Object.hasOwn(limits, type)) {
    c.add('type', `media type ${JSON.stringify(type)} is not one of ${Object.keys(limits).join(', ')}`);
    c.throwIfAny('upload');
  }
  if (c.isObject('file', file)) {
    c.string('filename', file.filename, { required: true, maxBytes: 255 });
    const size = file.data instanceof Blob ? file.data.size : file.data instanceof Uint8Array ? file.data.byteLength : -1;
    if (size < 0) c.add('data', 'data must be a Uint8Array (e.g. a Buffer) or a Blob');
    else if (size < MEDIA_MIN_BYTES) c.add('data', `the file is ${size} bytes; WeCom requires more than 5 bytes`);
    else if (size > limits[type]) c.add('data', `the file is ${size} bytes; WeCom allows ${limits[type]} bytes (${limits[type] / MB} MB) for ${type}`);
  }
  c.throwIfAny('upload');
  const blob = file.data instanceof Blob ? file.data : new Blob([file.data as Uint8Array<ArrayBuffer>], { type: file.contentType ?? 'application/octet-stream' });
  const form = new FormData();
  form.append('media', blob, file.filename);
  return form;
}
