/**
 * Hocuspocus sends each update to every connection of its document, the author's included, and the author already
 * has it: while people type, that echo is one frame in four (the author's echo, the two other clients' copies and
 * the author's acknowledgement) and a write on a socket each. This leaves the author out.
 *
 * Hocuspocus merges the updates that arrive in one event-loop turn (its flushDelay 0) and broadcasts the merge
 * through `Document.broadcastUpdate`; we note whose updates went into the window and, when they all came from one
 * connection, broadcast past it. Anything we cannot attribute (a merge of several authors, an update of the server's
 * own, one relayed by Redis, a window flushed before we saw its update) goes to everyone, as before: an echo is
 * wasted work, never a lost update.
 */
import { OutgoingMessage, isTransactionOrigin, type Connection, type Document } from '@hocuspocus/server';

/** What this reaches into: private in Hocuspocus' types (4.7), hence the test in collab.test.ts. */
interface DocumentInternals {
  broadcastUpdate(update: Uint8Array): void;
  broadcast(encode: (address: string) => Uint8Array, filter?: (connection: Connection) => boolean): void;
}

export function skipEchoes(document: Document): void {
  const internals = document as unknown as DocumentInternals;
  if (typeof internals.broadcastUpdate !== 'function' || typeof internals.broadcast !== 'function') return; // another Hocuspocus: echoes stay
  let authors = new Set<Connection | undefined>();
  // Registered after Hocuspocus' own listener, which only queues the update: the flush comes in a later turn.
  document.on('update', (_update: Uint8Array, origin: unknown) => {
    authors.add(isTransactionOrigin(origin) && origin.source === 'connection' ? origin.connection : undefined);
  });
  internals.broadcastUpdate = (update: Uint8Array) => {
    const author = authors.size === 1 ? [...authors][0] : undefined;
    authors = new Set();
    internals.broadcast(
      (address) => new OutgoingMessage(address).createSyncMessage().writeUpdate(update).toUint8Array(),
      author ? (connection) => connection !== author : undefined,
    );
  };
}
