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
    writeFileSync(join(dist, 'runner.html'), '<!doctype html><html lang="en"><body>runner</body></html>');
    mkdirSync(join(dist, 'runner-assets', 'pyodide-1.2.3'), { recursive: true });
    writeFileSync(join(dist, 'runner-assets', 'runner-abc123.js'), 'console.log("runner")');
    writeFileSync(join(dist, 'runner-assets', 'pyodide-1.2.3', 'pyodide.asm.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d]));
    writeFileSync(join(dist, 'runner-assets', 'pyodide-1.2.3', 'pyodide.mjs'), 'export {}');
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
      expect(response.body).toContain('<html lang="en" data-default-locale="en" data-time-zone="Asia/Shanghai">');
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

  it('lets pages frame only Pairview itself (the runner iframe is same-origin before its sandbox)', async () => {
    const csp = (await app.inject({ method: 'GET', url: '/interviews/8a2f/room' })).headers['content-security-policy'] as string;
    // No frame-src or child-src of its own: default-src 'self' decides, so /runner.html may be framed, nothing else.
    expect(csp).not.toMatch(/frame-src|child-src/);
    expect(csp).toContain("default-src 'self'");
  });

  it('sends the runner page with its own CSP: sandboxed, no network but its own files, framed by Pairview only', async () => {
    const response = await app.inject({ method: 'GET', url: '/runner.html', headers: { host: 'pairview.test:8443' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('runner');
    expect(response.headers['cache-control']).toBe('no-cache');
    const csp = response.headers['content-security-policy'];
    // testConfig's PAIRVIEW_PUBLIC_URL is http://localhost:3000; the Host header names the other way in.
    const assets = 'http://localhost:3000/runner-assets/ http://pairview.test:8443/runner-assets/';
    expect(csp).toBe(
      `default-src 'none'; script-src ${assets} blob: 'unsafe-eval'; worker-src data: ${assets}; connect-src ${assets}; ` +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts",
    );
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('names only a plain Host in the runner\'s CSP (a crafted Host cannot add sources)', async () => {
    for (const host of ["evil.test; script-src *", 'evil.test/path', 'a b']) {
      const response = await app.inject({ method: 'GET', url: '/runner.html', headers: { host } });
      const csp = response.headers['content-security-policy'] as string;
      expect(csp, host).toContain('connect-src http://localhost:3000/runner-assets/; ');
      expect(csp, host).not.toContain('evil');
    }
  });

  it('serves the runner\'s files to any origin (CORS), for good, wasm as application/wasm', async () => {
    for (const [url, type] of [
      ['/runner-assets/runner-abc123.js', /javascript/],
      ['/runner-assets/pyodide-1.2.3/pyodide.asm.wasm', /^application\/wasm$/],
      ['/runner-assets/pyodide-1.2.3/pyodide.mjs', /javascript/],
    ] as const) {
      const response = await app.inject({ method: 'GET', url, headers: { origin: 'null' } });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(type);
      expect(response.headers['access-control-allow-origin'], url).toBe('*');
      expect(response.headers['access-control-allow-credentials'], url).toBeUndefined();
      expect(response.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
    }
    // The app's own assets are not shared with other origins.
    const app404 = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(app404.headers['access-control-allow-origin']).toBeUndefined();
    const missing = await app.inject({ method: 'GET', url: '/runner-assets/pyodide-1.2.3/missing.wasm' });
    expect(missing.statusCode).toBe(404);
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
