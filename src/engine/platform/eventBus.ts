// The engine's one stream of events. Emitters never wait for subscribers: a subscriber that throws is
// isolated, and slow consumers (sockets) keep their own bounded buffers and receive a gap marker.
import type { EngineEvent, EngineEventBody } from '../../shared/events.js';

export type Listener = (event: EngineEvent) => void;

export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly onListenerError: (err: unknown) => void = () => {},
  ) {}

  emit(body: EngineEventBody): EngineEvent {
    const event = { ...body, seq: ++this.seq, ts: this.now().toISOString() } as EngineEvent;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    return event;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
