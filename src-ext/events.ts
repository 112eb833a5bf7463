import type { RunInfo } from "./protocol/api.ts";

/** Engine events: declared once here; only the WebSocket layer turns them into /events messages. */
export type EngineEvents = {
  "run.changed": RunInfo;
  "tasks.changed": undefined;
};

type Listener<T> = (payload: T) => void;

/** A typed in-process bus. Listeners run synchronously; one that throws does not stop the others. */
export class Bus {
  private listeners = new Map<keyof EngineEvents, Set<Listener<never>>>();

  on<K extends keyof EngineEvents>(name: K, listener: Listener<EngineEvents[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof EngineEvents>(name: K, payload: EngineEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<EngineEvents[K]>)(payload);
      } catch (error) {
        console.error(`dispatch: a listener of ${name} failed:`, error);
      }
    }
  }
}
