/**
 * A TCP port free on 127.0.0.1 right now: the OS picks it, we close it again and hand the number on. For servers
 * that cannot listen on port 0 themselves (PostgreSQL: Pairview must know its port to connect).
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
