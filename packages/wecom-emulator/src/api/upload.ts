/**
 * Reading a multipart upload the way WeCom does (wecom-protocol.md §3.7, §9.2): one file in the field `media`;
 * no file or an empty one → 44001 "empty media data".
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';

export interface Upload {
  filename: string;
  contentType: string;
  data: Buffer;
  /** The file went past the emulator's 20 MB read limit. */
  truncated: boolean;
}

export async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (!request.isMultipart()) throw new ApiError(44001);
  let file;
  try {
    file = await request.file();
  } catch {
    throw new ApiError(44001);
  }
  if (!file || file.fieldname !== 'media') {
    // Drain whatever was sent so the connection stays usable.
    await file?.toBuffer().catch(() => undefined);
    throw new ApiError(44001);
  }
  let data: Buffer;
  let truncated = false;
  try {
    data = await file.toBuffer();
  } catch {
    data = Buffer.alloc(0);
    truncated = true;
  }
  if (!truncated && data.length === 0) throw new ApiError(44001);
  return { filename: file.filename, contentType: file.mimetype, data, truncated };
}
