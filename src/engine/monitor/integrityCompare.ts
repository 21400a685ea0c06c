// Compares a path's current state with its baseline and says what changed, graded by the path's
// class (S0 core, S1 important) and profile (read-only, growing, dynamic, ignore). Pure: no I/O.
import type { AlertInput, Severity } from '../../shared/alert.js';
import type { BaselineEntry, FileClass, FileProfile } from './integrityBaseline.js';
import { describeWorkHours, isWorkTime, localTimeOf, type WorkHours } from './workHours.js';

export interface WatchSpec {
  path: string;
  class: FileClass;
  profile: FileProfile;
}

export type IntegrityCheck =
  | 'core_file_missing' | 'content_changed' | 'size_anomaly' | 'mode_changed' | 'owner_changed'
  | 'type_changed' | 'file_appeared' | 'not_baselined' | 'off_hours_change';

export interface IntegrityFinding {
  check: IntegrityCheck;
  severity: Severity;
  source: 'integrity' | 'anomaly';
  path: string;
  message: string;
  evidence: Record<string, unknown>;
}

export interface CompareInput {
  spec: WatchSpec;
  baseline: BaselineEntry | undefined;
  current: BaselineEntry | null;
  /** sha256 of the current file's first baseline.size bytes (growing profile). */
  prefixSha256?: string;
  workHours?: WorkHours;
  /** When the change was seen: used for off-hours only when the file system has no time (a deletion). */
  now?: number;
  /** The path is inside a watched directory (not listed itself): a new file there is a change. */
  inWatchedDir?: boolean;
}

export interface CompareResult {
  findings: IntegrityFinding[];
  /** The new state may replace the baseline without an operator (an allowed append). */
  autoAccept: boolean;
}

const octal = (m: number) => `0${m.toString(8)}`;

export function compareEntry(input: CompareInput): CompareResult {
  const { spec, baseline: b, current: c } = input;
  const out: IntegrityFinding[] = [];
  const f = (check: IntegrityCheck, severity: Severity, message: string, evidence: Record<string, unknown> = {}) =>
    out.push({ check, severity, source: 'integrity', path: spec.path, message: `${message}: ${spec.path}`, evidence: { class: spec.class, profile: spec.profile, ...evidence } });

  if (spec.profile === 'ignore') return { findings: [], autoAccept: false };
  if (!b) {
    if (c && input.inWatchedDir) f('file_appeared', spec.class === 'S0' ? 'P1' : 'P2', `new ${c.type} in a watched ${spec.class} directory`, { size: c.size, sha256: c.sha256 });
    else if (c) f('not_baselined', 'P3', 'watched path has no baseline yet (run gatehouse scan --init-hashes)');
    else f('core_file_missing', spec.class === 'S0' ? 'P0' : 'P1', 'watched path missing and never baselined');
    return { findings: out.concat(offHours(input, out)), autoAccept: false };
  }
  if (!c) {
    f('core_file_missing', 'P0', `${spec.class} file missing`, { sha256: b.sha256, size: b.size });
    return { findings: out, autoAccept: false };
  }
  if (c.type !== b.type) f('type_changed', 'P1', `type changed from ${b.type} to ${c.type}`);
  if (c.mode !== b.mode) f('mode_changed', 'P1', `mode changed from ${octal(b.mode)} to ${octal(c.mode)}`, { before: octal(b.mode), after: octal(c.mode) });
  if (c.uid !== b.uid || c.gid !== b.gid) f('owner_changed', 'P1', `owner changed from ${b.uid}:${b.gid} to ${c.uid}:${c.gid}`);

  let autoAccept = false;
  const contentChanged = c.sha256 !== b.sha256 || c.hash2 !== b.hash2;
  if (spec.profile !== 'dynamic' && c.type === b.type && contentChanged) {
    const appended = spec.profile === 'growing' && c.size >= b.size && input.prefixSha256 === b.sha256;
    if (appended) {
      autoAccept = out.length === 0;
    } else {
      const sizeAnomaly = spec.profile === 'read-only' && b.size > 0 && (c.size > 2 * b.size || c.size < 0.5 * b.size);
      const ev = { before: { size: b.size, sha256: b.sha256 }, after: { size: c.size, sha256: c.sha256 } };
      const how = spec.profile === 'growing' ? (c.size < b.size ? 'shrank' : 'rewrote its existing content') : 'content changed';
      // One alert per change: a size anomaly is the same change, reported at its higher grade.
      if (sizeAnomaly) f('size_anomaly', 'P1', `${spec.class} file size changed from ${b.size} to ${c.size} bytes (more than 2x or under 0.5x)`, ev);
      else f('content_changed', spec.class === 'S0' ? 'P1' : 'P2', `${spec.class} file ${how}`, ev);
    }
  }
  out.push(...offHours(input, out));
  return { findings: out, autoAccept };
}

/**
 * A change outside work hours, judged by when the file system says it happened (the later of mtime
 * and ctime: ctime cannot be set back by `touch`), in the configured zone; a deletion has no such
 * time and is judged by when it was found.
 */
function offHours(input: CompareInput, found: IntegrityFinding[]): IntegrityFinding[] {
  const wh = input.workHours;
  if (!found.length || !wh) return [];
  const c = input.current;
  const when = c ? Math.max(c.mtime, c.ctime) : (input.now ?? Date.now());
  if (isWorkTime(wh, when)) return [];
  const path = input.spec.path;
  return [{
    check: 'off_hours_change', severity: 'P2', source: 'anomaly', path,
    message: `change at ${localTimeOf(wh, when)} local time, outside work hours ${describeWorkHours(wh)}: ${path}`,
    evidence: { at: new Date(when).toISOString(), local_time: localTimeOf(wh, when), work_hours: describeWorkHours(wh), judged_by: c ? 'file change time' : 'time found', changes: found.map((x) => x.check) },
  }];
}

export function integrityFindingToAlert(f: IntegrityFinding): AlertInput {
  return { severity: f.severity, source: f.source, check: f.check, message: f.message, path: f.path, evidence: f.evidence };
}
