import type { EngineEvent, EventOf } from "./protocol/events.ts";

type Listener<T> = (event: T) => void;

/**
 * A typed in-process bus for the engine events declared in `protocol/events.ts`; only the
 * WebSocket layer turns them into /events messages. Listeners run synchronously; one that throws
 * does not stop the others.
 */
export class Bus {
  private listeners = new Map<EngineEvent["type"], Set<Listener<never>>>();
  private any = new Set<Listener<EngineEvent>>();

  on<K extends EngineEvent["type"]>(type: K, listener: Listener<EventOf<K>>): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Every event, whatever its type (the /events socket). */
  onAny(listener: Listener<EngineEvent>): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of [...(this.listeners.get(event.type) ?? []), ...this.any]) {
      try {
        (listener as Listener<EngineEvent>)(event);
      } catch (error) {
        console.error(`dispatch: a listener of ${event.type} failed:`, error);
      }
    }
  }
}
