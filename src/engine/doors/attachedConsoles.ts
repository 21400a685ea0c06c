// Which consoles are attached to an engine over the socket: the IPC door adds a connection that said
// hello as a `tui`, and the console hosting the engine asks how many there are before it stops the
// engine under them. A WeakMap, so an engine that is gone takes its set with it.
const consoles = new WeakMap<object, Set<object>>();

/** Records an attached console; the returned function forgets it (call it when the connection closes). */
export function consoleAttached(engine: object, connection: object): () => void {
  let set = consoles.get(engine);
  if (!set) consoles.set(engine, (set = new Set()));
  set.add(connection);
  return () => void set.delete(connection);
}

export function attachedConsoleCount(engine: object): number {
  return consoles.get(engine)?.size ?? 0;
}
