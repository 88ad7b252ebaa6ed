import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createMigratedDatabase, testConfig, type MigratedTestDatabase } from '../../test/helpers.ts';
import { webApp } from './plugin.ts';

describe('serving the built web app', () => {
  let database: MigratedTestDatabase;
  let app: FastifyInstance;
  let root: string;
  let dist: string;

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_web_plugin');
    root = mkdtempSync(join(tmpdir(), 'pairview-web-plugin-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><html lang="zh-CN"><head></head><body><div id="root"></div></body></html>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'secret.txt'), 'outside the build');
    app = await buildTestApp(database, { config: testConfig({ PAIRVIEW_LOCALE: 'en' }), plugins: [webApp({ distDir: dist })] });
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('answers page paths with index.html in the server\'s language, uncached, under a strict CSP', async () => {
    for (const url of ['/', '/interviews/8a2f/room', '/r/some-token', '/admin/messages?status=failed']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<html lang="en" data-default-locale="en">');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('serves hashed assets for good and other files briefly', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("app")');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers a missing file, an API path and a way out of the build with a JSON 404, never the page', async () => {
    for (const url of ['/assets/index-old.js', '/api/nothing', '/auth/wecom/nothing', '/wecom/nothing', '/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: 'not_found' });
      expect(response.body).not.toContain('outside the build');
    }
  });

  it('says how to build the app when there is no build', async () => {
    const unbuilt = await buildTestApp(database, { plugins: [webApp({ distDir: join(root, 'missing') })] });
    try {
      const response = await unbuilt.inject({ method: 'GET', url: '/my' });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('npm run build -w @pairview/web');
    } finally {
      await unbuilt.close();
    }
  });
});
