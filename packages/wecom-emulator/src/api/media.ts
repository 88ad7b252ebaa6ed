/**
 * Temporary media (wecom-protocol.md §3.7): media/upload?type=image|voice|video|file with the multipart field
 * `media`; ids valid 3 days. Limits: every file > 5 bytes (40006); image 10 MB JPG/PNG (5 MB configurable),
 * voice 2 MB AMR, video 10 MB MP4, file 20 MB (45001); wrong format → 40004. media/get returns the bytes.
 */
import { extname } from 'node:path';
import { ApiError } from '../errors.ts';
import { requireApp } from './message.ts';
import { type ApiRoute, RawResult } from './pipeline.ts';
import { readUpload } from './upload.ts';

const MB = 1024 * 1024;
const TYPES = ['image', 'voice', 'video', 'file'] as const;
type MediaType = (typeof TYPES)[number];
const FORMATS: Partial<Record<MediaType, string[]>> = { image: ['.jpg', '.jpeg', '.png'], voice: ['.amr'], video: ['.mp4'] };

export const mediaRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/cgi-bin/media/upload',
    auth: 'access_token',
    body: 'multipart',
    async handle(ctx) {
      requireApp(ctx);
      const type = ctx.query.type as MediaType;
      if (!TYPES.includes(type)) throw new ApiError(40005);
      const upload = await readUpload(ctx.request);
      ctx.logBody = { multipart: { field: 'media', filename: upload.filename, bytes: upload.data.length } };
      const max = { image: ctx.state.config.behaviour.imageMaxBytes, voice: 2 * MB, video: 10 * MB, file: 20 * MB }[type];
      if (upload.truncated || upload.data.length > max) throw new ApiError(45001);
      if (upload.data.length <= 5) throw new ApiError(40006);
      const formats = FORMATS[type];
      if (formats && !formats.includes(extname(upload.filename).toLowerCase())) throw new ApiError(40004);
      const media = ctx.state.media.add({ type, filename: upload.filename, contentType: upload.contentType, data: upload.data });
      // The doc's example answers errmsg "" and created_at as a string (§3.7).
      return { errmsg: '', type, media_id: media.mediaId, created_at: String(Math.floor(media.createdAt / 1000)) };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/media/get',
    auth: 'access_token',
    handle(ctx) {
      requireApp(ctx);
      const media = ctx.query.media_id ? ctx.state.media.get(ctx.query.media_id) : undefined;
      if (!media) throw new ApiError(40007);
      return new RawResult(media.contentType || 'application/octet-stream', media.data, {
        'content-disposition': `attachment; filename="${encodeURIComponent(media.filename)}"`,
      });
    },
  },
];
