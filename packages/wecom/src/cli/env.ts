/**
 * The CLI's environment: the process environment over `./.env` (the same rule as `fromEnv`: variables already set
 * win), read once so every command — including the callback ones, which need no app secret — sees the same values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from './io.ts';

export function loadEnv(env: Record<string, string | undefined>, cwd = process.cwd()): Record<string, string | undefined> {
  const path = resolve(cwd, '.env');
  if (!existsSync(path)) return env;
  let file: Record<string, string>;
  try {
    file = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new UsageError(`could not read ${path}: ${(error as Error).message}`);
  }
  const merged: Record<string, string | undefined> = { ...file };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** A required variable, or a UsageError that names it. */
export function requireEnv(env: Record<string, string | undefined>, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new UsageError(`${name} is not set: ${what}`);
  return value;
}
