import { describe, expect, it } from 'vitest';
import { redactUrl } from './app.ts';

describe('request log redaction', () => {
  it('hides candidate link tokens and the OAuth code and state, keeping the route', () => {
    expect(redactUrl('/r/abcDEF123?x=1')).toBe('/r/[redacted]?x=1');
    expect(redactUrl('/api/room-links/abcDEF123/join')).toBe('/api/room-links/[redacted]/join');
    expect(redactUrl('/auth/wecom/callback?code=CODE123&state=S1&appid=ww1')).toBe('/auth/wecom/callback?code=[redacted]&state=[redacted]&appid=ww1');
    expect(redactUrl('/wecom/callback?msg_signature=a&timestamp=1&nonce=2&echostr=E%2B%3D')).toBe('/wecom/callback?msg_signature=a&timestamp=1&nonce=2&echostr=[redacted]');
    expect(redactUrl('/api/interviews?status=scheduled')).toBe('/api/interviews?status=scheduled');
  });
});
