/**
 * Server-Sent Events fan-out: every browser's stream is fed from the process's one NATS
 * subscription through here. Each event is serialised once, whatever the number of clients; a client
 * that stops reading (its socket buffer over `maxBufferedBytes`) is dropped rather than let grow.
 */

/** One browser's event stream. */
export interface SseClient {
  /** Write a chunk; false when the socket's buffer is full. */
  write(chunk: string): boolean;
  /** Bytes waiting in the socket's buffer. */
  buffered(): number;
  close(): void;
}

/** The fan-out. */
export interface Hub {
  /** Add a client; returns its removal. */
  add(client: SseClient): () => void;
  /** Send `event` with `data` (JSON) to every client. */
  broadcast(event: string, data: unknown): void;
  /** A comment line to every client, so proxies keep idle streams open. */
  heartbeat(): void;
  size(): number;
  /** Close every stream. */
  closeAll(): void;
}

/** The wire form of one event. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A hub dropping clients with more than `maxBufferedBytes` unsent. */
export function createHub(opts: { maxBufferedBytes?: number } = {}): Hub {
  const max = opts.maxBufferedBytes ?? 1024 * 1024;
  const clients = new Set<SseClient>();
  const send = (chunk: string) => {
    for (const c of clients) {
      if (c.buffered() > max) {
        clients.delete(c);
        c.close();
        continue;
      }
      c.write(chunk);
    }
  };
  return {
    add(client) {
      clients.add(client);
      return () => void clients.delete(client);
    },
    broadcast: (event, data) => send(sseFrame(event, data)),
    heartbeat: () => send(": keep-alive\n\n"),
    size: () => clients.size,
    closeAll() {
      for (const c of clients) c.close();
      clients.clear();
    },
  };
}
