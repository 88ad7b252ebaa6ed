/**
 * Bearer secrets Pairview hands out (session ids, candidate link tokens): 32 random bytes, base64url. Only their
 * SHA-256 is stored, so reading the database does not let anyone sign in or join a room.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Cheap shape check before touching the database: 32 bytes base64url is 43 characters. */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
