/** One client of WS /events that keeps every message with the moment it arrived (performance.now()). */
export type Message = Record<string, unknown> & { type: string; run?: { runId: string; activity?: string | null; state?: string } };
export type Arrival = { m: Message; at: number };

type Waiter = { match: (m: Message) => boolean; resolve: (a: Arrival) => void };

export class EventFeed {
  readonly arrivals: Arrival[] = [];
  private waiters = new Set<Waiter>();

  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      const arrival = { m: JSON.parse(String(e.data)) as Message, at: performance.now() };
      this.arrivals.push(arrival);
      for (const w of this.waiters) {
        if (!w.match(arrival.m)) continue;
        this.waiters.delete(w);
        w.resolve(arrival);
      }
    };
  }

  /** Connects and waits for the server's `hello`. */
  static async open(wsUrl: string): Promise<EventFeed> {
    const feed = new EventFeed(new WebSocket(wsUrl));
    await feed.next("hello", (m) => m.type === "hello", 0, 15000);
    return feed;
  }

  /** Where the next message will land: pass it to `next` to skip what came before. */
  mark(): number {
    return this.arrivals.length;
  }

  /** The first message from index `from` on that `match` accepts, already here or still to come. */
  next(what: string, match: (m: Message) => boolean, from = 0, timeoutMs = 30000): Promise<Arrival> {
    for (let i = from; i < this.arrivals.length; i++) {
      const a = this.arrivals[i] as Arrival;
      if (match(a.m)) return Promise.resolve(a);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} on /events`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The `run.ended` of `runId`. */
  ended(runId: string, timeoutMs = 30000): Promise<Arrival> {
    return this.next(`run.ended of ${runId}`, (m) => m.type === "run.ended" && m.run?.runId === runId, 0, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}
