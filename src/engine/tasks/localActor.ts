// The operator at this terminal as an actor: the login name, or "operator" where the passwd file has
// no entry for the uid (containers).
import { userInfo } from 'node:os';
import type { Actor } from './queue.js';

export function localActor(surface: Actor['surface']): Actor {
  let name = 'operator';
  try {
    name = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return { by: name, surface };
}
