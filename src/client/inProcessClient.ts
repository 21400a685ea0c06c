// The in-process transport: the console running inside the engine's process calls the same method
// table as the socket, without serialisation, and gets events straight from the bus.
import { EngineError } from '../shared/errors.js';
import { topicOf } from '../shared/events.js';
import type { Engine } from '../engine/engine.js';
import { findMethod } from '../engine/doors/rpcMethods.js';
import type { Actor } from '../engine/tasks/queue.js';
import type { EngineClient } from './engineClient.js';
import { clientOver } from './rpcClient.js';

export function inProcessClient(engine: Engine, actor: Actor): EngineClient {
  return clientOver({
    async call(method, params) {
      const m = findMethod(method);
      if (!m) throw new EngineError(`method not found: ${method}`, 'bad_request');
      // Structured clone keeps the console from holding live references to engine objects.
      return structuredClone(await m(engine, params ?? {}, { actor }));
    },
    subscribe(topics, onEvent) {
      const wanted = new Set(topics);
      return engine.bus.subscribe((e) => {
        if (wanted.has(topicOf(e.type))) queueMicrotask(() => onEvent(e));
      });
    },
    async close() {},
  });
}
