/**
 * The room's live connection: one WebSocket to /collab/<interview> carrying every document the page uses (the
 * pad, the control document, the panel's documents), each a HocuspocusProvider on that socket. Members are known
 * by their session cookie (sent with the upgrade); the candidate sends the link as the token. The server says
 * who everyone is (awareness `user`), what the room's state is (control document), and closes the candidate's
 * socket with 4403 when the link stops working.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { useEffect, useState, useSyncExternalStore } from 'react';
import * as Y from 'yjs';
import type { RoomState, SignalView } from '../api/types.ts';

export type DocumentKind = 'code' | 'ctrl' | 'panel' | 'notes';

/** Close code the server uses when a candidate's link no longer opens the room (server: rooms/collab/server.ts). */
export const LINK_INVALID = 4403;

export interface RoomDocument {
  doc: Y.Doc;
  provider: HocuspocusProvider;
}

export interface PresentUser {
  name: string;
  color: string;
  kind: 'member' | 'candidate';
  personId: string | null;
}

type Status = 'connecting' | 'connected' | 'disconnected' | 'link_invalid';

export class RoomConnection {
  readonly interviewId: string;
  readonly socket: HocuspocusProviderWebsocket;
  private readonly token: string;
  private readonly documents = new Map<string, RoomDocument>();
  private status: Status = 'connecting';
  private readonly listeners = new Set<() => void>();

  private readonly me: PresentUser;

  /**
   * `me` is how this page shows its own person; others see what the server stamps (from the session or the link)
   * whatever this says.
   */
  constructor(interviewId: string, me: PresentUser, linkToken?: string) {
    this.interviewId = interviewId;
    this.me = me;
    this.token = linkToken ? `link:${linkToken}` : 'session';
    const url = new URL(`/collab/${interviewId}`, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socket = new HocuspocusProviderWebsocket({
      url: url.toString(),
      // Reconnect for ever (a server restart, a flaky phone connection), except after a dead link. The provider's
      // own backoff (1 s, doubling, at most 30 s): shorter delays set here stopped awareness from being announced.
      maxAttempts: 0,

      onStatus: ({ status }) => this.setStatus(status === 'connected' ? 'connected' : status === 'connecting' ? 'connecting' : 'disconnected'),
      onClose: ({ event }) => {
        if (event.code === LINK_INVALID) {
          this.setStatus('link_invalid');
          this.destroy();
        }
      },
    });
  }

  /** The document of that kind, opened on first use. */
  open(kind: DocumentKind, personId?: string): RoomDocument {
    const name = kind === 'notes' ? `notes:${this.interviewId}:${personId}` : `${kind}:${this.interviewId}`;
    let entry = this.documents.get(name);
    if (!entry) {
      const doc = new Y.Doc();
      const provider = new HocuspocusProvider({
        name,
        document: doc,
        websocketProvider: this.socket,
        token: this.token,
        // Every keystroke is its own update: playback shows typing as it happened (room-design.md §2).
        flushDelay: false,
        onAuthenticationFailed: ({ reason }) => {
          if (reason === 'link_invalid') this.setStatus('link_invalid');
        },
      });
      provider.attach();
      // Announcing oneself is what makes the server stamp and share this client's presence and cursor.
      provider.setAwarenessField('user', this.me);
      entry = { doc, provider };
      this.documents.set(name, entry);
    }
    return entry;
  }

  /** Stops using one document (the candidate's pad after the end). */
  close(kind: DocumentKind, personId?: string): void {
    const name = kind === 'notes' ? `notes:${this.interviewId}:${personId}` : `${kind}:${this.interviewId}`;
    const entry = this.documents.get(name);
    if (!entry) return;
    entry.provider.destroy();
    entry.doc.destroy();
    this.documents.delete(name);
  }

  getStatus = (): Status => this.status;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private setStatus(status: Status): void {
    if (this.status === 'link_invalid' || this.status === status) return;
    this.status = status;
    for (const listener of this.listeners) listener();
  }

  destroy(): void {
    for (const { provider, doc } of this.documents.values()) {
      provider.destroy();
      doc.destroy();
    }
    this.documents.clear();
    this.socket.destroy();
  }
}

/** One connection while the component is mounted (made in an effect, so a remount gets a fresh one). */
export function useRoomConnection(interviewId: string, me: PresentUser | undefined, linkToken?: string): RoomConnection | undefined {
  const [connection, setConnection] = useState<RoomConnection>();
  const { name, color, kind, personId } = me ?? {};
  useEffect(() => {
    // Not before the page knows who it is.
    if (name === undefined || color === undefined || kind === undefined || personId === undefined) return;
    const next = new RoomConnection(interviewId, { name, color, kind, personId }, linkToken);
    setConnection(next);
    return () => next.destroy();
  }, [interviewId, linkToken, name, color, kind, personId]);
  return connection;
}

export function useConnectionStatus(connection: RoomConnection): Status {
  return useSyncExternalStore(connection.subscribe, connection.getStatus);
}

/**
 * The room's state from the control document, live; `initial` (from the HTTP view) until it has synced. The
 * document keeps states by revision (server: rooms/collab/server.ts, writeRoomState) and the highest is the
 * room's: after a server restart this page may still hold an older state beside the new one.
 */
export function useRoomState(connection: RoomConnection, initial: RoomState): RoomState {
  const { doc } = connection.open('ctrl');
  const [state, setState] = useState<RoomState>(initial);
  useEffect(() => {
    const states = doc.getMap<RoomState>('room-states');
    const read = () => {
      let newest: RoomState | undefined;
      for (const candidate of states.values()) if (!newest || candidate.revision > newest.revision) newest = candidate;
      if (newest) setState((current) => (newest.revision >= current.revision ? newest : current));
    };
    read();
    states.observe(read);
    return () => states.unobserve(read);
  }, [doc]);
  return state;
}

/**
 * The interview's question changed before the start (the recruiter picked another): the page loads its view
 * again, which brings the new statement (`loaded` is the state that view came with).
 */
export function useReloadOnNewQuestion(state: RoomState, loaded: RoomState, reload: () => void): void {
  useEffect(() => {
    if (state.questionId !== loaded.questionId) reload();
    // `reload` is a new function on every render of the resource; the ids are what matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.questionId, loaded.questionId]);
}

/** Who is in the room now: everyone with the control document open, as the server named them. */
export function usePresence(connection: RoomConnection): PresentUser[] {
  const { provider } = connection.open('ctrl');
  const [people, setPeople] = useState<PresentUser[]>([]);
  useEffect(() => {
    const awareness = provider.awareness;
    if (!awareness) return;
    const read = () => {
      const seen = new Map<string, PresentUser>();
      for (const state of awareness.getStates().values()) {
        const user = state['user'] as PresentUser | undefined;
        if (!user?.name) continue;
        seen.set(user.kind === 'candidate' ? 'candidate' : `member:${user.personId}`, user);
      }
      setPeople([...seen.values()].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'candidate' ? -1 : 1)));
    };
    read();
    awareness.on('change', read);
    return () => awareness.off('change', read);
  }, [provider]);
  return people;
}

/** Integrity signals from the panel document (never opened by the candidate's page). */
export function useSignals(connection: RoomConnection, initial: SignalView[]): SignalView[] {
  const { doc } = connection.open('panel');
  const [signals, setSignals] = useState<SignalView[]>(initial);
  useEffect(() => {
    const list = doc.getArray<SignalView>('signals');
    const read = () => {
      // After a server restart the page holds the signals it had and the new document's copy of them.
      const byId = new Map(list.toArray().map((signal) => [signal.id, signal]));
      if (byId.size > 0) setSignals([...byId.values()].sort((a, b) => a.at.localeCompare(b.at)));
    };
    read();
    list.observe(read);
    return () => list.unobserve(read);
  }, [doc]);
  return signals;
}
