// `gatehouse doctor`'s sensors line: which source the host sensors run (audit, /proc, or none) and why
// audit was not chosen. A running engine says what it chose; without one, the same choice is worked out
// from the config and this host (root, auditctl, the kernel's audit, auditd, the audit log).
import { loadConfig } from '../engine/config/config.js';
import { auditStatus } from '../engine/sensors/auditSource.js';
import type { SensorsStatus } from '../engine/sensors/sensorService.js';
import { inspectLock } from '../engine/store/lock.js';
import { statePath } from '../engine/store/stateDir.js';
import { stateDirOf, withClient, type GlobalArgs } from './context.js';
import type { Check } from './doctorChecks.js';

export function describeSensors(s: Pick<SensorsStatus, 'enabled' | 'source' | 'reason'>, running: boolean): string {
  const where = running ? 'the engine runs' : 'an engine started now would run';
  if (!s.enabled) return `sensors disabled (${s.reason ?? 'sensors.enabled is false'})`;
  return `${where} the ${s.source === 'audit' ? 'audit' : '/proc polling'} sensor source (${s.reason ?? 'no reason given'})`;
}

export async function sensorsCheck(argv: GlobalArgs): Promise<Check> {
  const lock = inspectLock(statePath(stateDirOf(argv), 'lock'));
  if (lock?.alive) {
    try {
      const st = (await withClient(argv, (c) => c.status(), 15_000)) as { sensors?: SensorsStatus };
      if (st.sensors) return { id: 'sensors', ok: true, message: describeSensors(st.sensors, true) };
    } catch {
      /* no answer: worked out from the config below */
    }
  }
  let cfg;
  try {
    cfg = loadConfig(argv.config).config.sensors;
  } catch {
    return { id: 'sensors', ok: true, message: 'sensors: unknown (the config does not load; see the config line)' };
  }
  if (!cfg.enabled) return { id: 'sensors', ok: true, message: describeSensors({ enabled: false, source: null, reason: 'sensors.enabled is false' }, false) };
  if (cfg.source === 'proc') return { id: 'sensors', ok: true, message: describeSensors({ enabled: true, source: 'proc', reason: 'sensors.source is proc' }, false) };
  const audit = await auditStatus(cfg.audit_log);
  if (audit.usable) return { id: 'sensors', ok: true, message: describeSensors({ enabled: true, source: 'audit', reason: 'auditd runs and gatehouse is root' }, false) };
  // Asked for audit explicitly and it cannot run: the engine falls back to /proc and raises a P2; doctor fails.
  return { id: 'sensors', ok: cfg.source !== 'audit', message: describeSensors({ enabled: true, source: 'proc', reason: `audit not usable: ${audit.reason}${cfg.source === 'audit' ? ' (sensors.source is audit)' : ''}` }, false) };
}
