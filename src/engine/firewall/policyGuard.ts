// Tamper protection (law 8): the policy in force is the text the operator trusted (policy.trusted).
// An edit made outside gatehouse is detected (watch + hash, with a periodic re-check behind the watch)
// and puts the firewall in lockdown until the operator reviews the diff and trusts that exact text (by
// its sha256), or the file returns to the trusted text. Edits made through gatehouse are written
// atomically, 0600, and trusted as written. The file is read once per check, without following a
// symlink, and fstat'ed on the descriptor (policyFile.ts): what is hashed is what is parsed.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { DEFAULT_POLICY_TEXT, parsePolicyText, PolicyError, runPolicyTests, describeMismatch, sha256, type LoadedPolicy } from './index.js';
import { PolicyFileRefused, readPolicyFile, type PolicyFileRead } from './policyFile.js';
import { EngineError } from '../../shared/errors.js';
import { unifiedDiff } from '../platform/textDiff.js';
import { refuseSymlink, writePrivateFileAtomic } from '../store/stateDir.js';

export interface TrustedPolicy {
  sha256: string;
  text: string;
  trusted_at: string;
  by: string;
}

/** What the lockdown marker file in the state dir holds while the firewall is in lockdown (offline clients deny). */
export interface LockdownMarker {
  reason: string;
  since: string;
  /** The tampering it is about: the file's sha256, or what was wrong with it. */
  key: string;
}

export type TrustHow = 'first_start' | 'created_default' | 'operator' | 'gatehouse_edit' | 'restored' | 'signed';

/** What a policy's signature says: the trusted key that signed it, or why it is not trusted (fleet/policySignature.ts). */
export type SignatureVerdict = { key_id: string } | { refused: string; signer?: string };

/**
 * The signed-policy check (config `policy.trusted_keys`, docs/guard.md "Signed policies"). With it the
 * guard trusts a policy only when it is signed by a trusted key: a signed new text is trusted on
 * arrival, an unsigned or badly signed one is lockdown, and a trust by hash needs the signature too.
 */
export interface PolicySignatureCheck {
  readonly keyIds: string[];
  verify(text: string, policyPath: string): SignatureVerdict;
}

export interface GuardEvents {
  /** Entered lockdown, or a new tampering while in it (`fresh` false): each distinct key is its own P0. */
  lockdown(reason: string, info: { key: string; fresh: boolean }): void;
  trusted(hash: string, by: string, how: TrustHow): void;
  /** A trust request refused (the file changed since it was reviewed, or cannot be trusted). */
  trustRefused(by: string, reason: string, detail: { reviewed: string; current: string | null }): void;
  warn(message: string): void;
}

const RECHECK_MS = 2_000;

export class PolicyGuard {
  private loaded: LoadedPolicy | null = null;
  private lockdownReason: string | null = null;
  private lockdownKey: string | null = null;
  private epoch = 0;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;

  constructor(
    public policyPath: string,
    private readonly trustedPath: string,
    private readonly events: GuardEvents,
    /** The lockdown marker in the state dir (docs/security.md, lockdown: offline decisions deny while it exists). */
    private readonly markerPath: string | null = null,
    private readonly signatures: PolicySignatureCheck | null = null,
  ) {}

  /** Creates the default policy on the very first start, trusts an existing one found at first start, or checks it against the trusted copy. */
  start(): void {
    const trusted = this.readTrusted();
    const marker = this.readMarker();
    if (!existsSync(this.policyPath) && !isLink(this.policyPath)) {
      if (trusted) {
        this.adopt(trusted);
        this.enterLockdown(`the policy file ${this.policyPath} is missing`, 'missing');
      } else if (this.signatures) {
        // The default policy is nobody's signed text: wait, in lockdown, for a signed one to arrive.
        this.enterLockdown(`the policy file ${this.policyPath} is missing; with policy.trusted_keys set, only a policy signed by a trusted key is trusted (roll one out with its .sig)`, 'refused:missing');
      } else {
        mkdirSync(dirname(this.policyPath), { recursive: true, mode: 0o700 });
        writePrivateFileAtomic(this.policyPath, DEFAULT_POLICY_TEXT);
        this.trustText(DEFAULT_POLICY_TEXT, 'gatehouse', 'created_default');
      }
    } else if (!trusted) {
      if (marker) {
        // The engine left a lockdown and the trusted copy is gone: never trust what is found now.
        this.enterLockdown('the trusted copy of the policy is missing while a lockdown was in force', 'trusted-missing');
      } else if (this.signatures) {
        this.check(); // trusted by its key, or lockdown
      } else {
        let read: PolicyFileRead;
        try {
          read = readPolicyFile(this.policyPath);
        } catch (err) {
          this.enterLockdown((err as Error).message, refusalKey(err));
          throw new EngineError(`the policy cannot be trusted; the firewall is in lockdown: ${(err as Error).message}`, 'bad_request');
        }
        this.trustText(read.text, 'gatehouse', 'first_start');
      }
    } else {
      // A lockdown left by the last run (the marker) stays until the file is the trusted text again: check() decides.
      this.adopt(trusted);
      this.check();
    }
    this.watcher = watch(this.policyPath, { ignoreInitial: true, awaitWriteFinish: false, persistent: true, atomic: true, followSymlinks: false });
    this.watcher.on('all', () => this.scheduleCheck());
    this.timer = setInterval(() => this.check(), RECHECK_MS);
    this.timer.unref();
  }

  /**
   * A reload moved `firewall.policy_file`: the new file is checked against the trusted text like any
   * edit, so a different policy there puts the firewall in lockdown until the operator trusts it.
   */
  async retarget(path: string): Promise<void> {
    if (path === this.policyPath) return;
    await this.stop();
    this.policyPath = path;
    this.start();
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    return this.watcher?.close() ?? Promise.resolve();
  }

  get policy(): LoadedPolicy | null {
    return this.lockdownReason ? null : this.loaded;
  }

  /** The trusted policy even during lockdown (to show what was in force). */
  get trustedPolicy(): LoadedPolicy | null {
    return this.loaded;
  }

  get lockdown(): string | null {
    return this.lockdownReason;
  }

  /** Grows each time lockdown is entered: a decision taken before a lockdown that ended since is stale. */
  get lockdownEpoch(): number {
    return this.epoch;
  }

  private scheduleCheck(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.check(), 100);
  }

  /**
   * Compares the file with the trusted hash held in memory. A difference, a missing or refused file, or
   * a trusted copy changed on disk is lockdown; the file back at the trusted text lifts it.
   */
  check(): void {
    let current: PolicyFileRead;
    try {
      current = readPolicyFile(this.policyPath);
    } catch (err) {
      this.enterLockdown((err as Error).message, refusalKey(err));
      return;
    }
    const trusted = this.readTrusted();
    if (this.signatures && !this.checkSigned(current)) return;
    if (!trusted || !this.loaded) {
      this.enterLockdown(this.loaded ? 'the trusted copy of the policy is missing' : 'no trusted policy loads', 'trusted-missing');
      return;
    }
    if (trusted.sha256 !== this.loaded.sha256) {
      this.enterLockdown(`the trusted copy ${this.trustedPath} was changed outside gatehouse (sha256 ${trusted.sha256.slice(0, 12)}… is not the trusted ${this.loaded.sha256.slice(0, 12)}…)`, `trusted:${trusted.sha256}`);
      return;
    }
    if (current.sha256 !== this.loaded.sha256) {
      this.enterLockdown(`${this.policyPath} was changed outside gatehouse (sha256 ${current.sha256.slice(0, 12)}… is not the trusted ${this.loaded.sha256.slice(0, 12)}…)`, current.sha256);
      return;
    }
    if (this.lockdownReason || this.readMarker()) {
      // Restored: the file is the trusted text again (a reverted edit, a restored file).
      this.liftLockdown();
      this.events.trusted(this.loaded.sha256, 'restored', 'restored');
    }
  }

  /**
   * With trusted keys, before the hash checks: a new text signed by a trusted key is trusted by that key;
   * an unsigned or badly signed text, new or in force, is lockdown. True: go on with the hash checks.
   */
  private checkSigned(current: PolicyFileRead): boolean {
    const verdict = this.signatures!.verify(current.text, this.policyPath);
    const isNew = current.sha256 !== this.loaded?.sha256;
    if ('key_id' in verdict) {
      if (!isNew) return true;
      const older = this.notNewer(current.text);
      if (older) {
        this.enterLockdown(`${this.policyPath} is signed by ${verdict.key_id} but ${older}`, `rollback:${current.sha256}`);
        return false;
      }
      try {
        this.trustText(current.text, `key:${verdict.key_id}`, 'signed');
      } catch (err) {
        this.enterLockdown(`${this.policyPath} is signed by ${verdict.key_id} but is not trusted: ${(err as Error).message}`, `invalid:${current.sha256}`);
      }
      return false;
    }
    const short = current.sha256.slice(0, 12);
    // Each distinct text and signature problem is its own tampering (its own P0), the reason updated.
    const key = `signature:${current.sha256}:${sha256(verdict.refused).slice(0, 12)}`;
    if (isNew) this.enterLockdown(`${this.policyPath} was changed outside gatehouse (sha256 ${short}…) and ${verdict.refused}`, key);
    else this.enterLockdown(`policy.trusted_keys is set and the policy in force (sha256 ${short}…) is not trusted by a key: ${verdict.refused}`, key);
    return false;
  }

  /**
   * Why a signed text may not replace the policy in force (an older signed policy put back), or null. Once
   * the policy in force has a `serial`, a new signed text needs a higher one; a text that does not parse
   * is left to trustText to refuse.
   */
  private notNewer(text: string): string | null {
    const inForce = this.loaded?.policy.file.serial;
    if (inForce === undefined) return null;
    let next: number | undefined;
    try {
      next = parsePolicyText(text, this.policyPath).policy.file.serial;
    } catch {
      return null;
    }
    if (next !== undefined && next > inForce) return null;
    return `its serial ${next ?? '(none)'} is not above the policy in force's ${inForce}: an older signed policy put back is refused (roll out one with a higher serial)`;
  }

  private enterLockdown(reason: string, key: string): void {
    if (this.lockdownKey === key && this.lockdownReason) return;
    const fresh = this.lockdownReason === null;
    if (fresh) this.epoch++;
    this.lockdownReason = reason;
    this.lockdownKey = key;
    this.writeMarker({ reason, since: new Date().toISOString(), key });
    this.events.lockdown(reason, { key, fresh });
  }

  private liftLockdown(): void {
    this.lockdownReason = null;
    this.lockdownKey = null;
    if (this.markerPath) rmSync(this.markerPath, { force: true });
  }

  diff(): { diff: string; trusted_hash: string | null; current_hash: string | null; sha256: string | null; refused: string | null; lockdown: string | null } {
    const trusted = this.readTrusted();
    let current: PolicyFileRead | null = null;
    let refused: string | null = null;
    try {
      current = readPolicyFile(this.policyPath);
    } catch (err) {
      refused = (err as Error).message;
    }
    return {
      diff: unifiedDiff(trusted?.text ?? '', current?.text ?? '', `trusted ${trusted?.trusted_at ?? '(none)'}`, current === null ? `(${refused ?? 'file missing'})` : this.policyPath),
      trusted_hash: this.loaded?.sha256 ?? trusted?.sha256 ?? null,
      current_hash: current?.sha256 ?? null,
      // The hash of exactly the text this diff shows: a trust request must carry it.
      sha256: current?.sha256 ?? null,
      refused,
      lockdown: this.lockdownReason,
    };
  }

  /**
   * The operator trusts the text they reviewed, named by its sha256. The file is read once (no symlink,
   * a regular file the operator owns); if it no longer hashes to what was reviewed the trust is refused
   * (409) and the firewall stays as it is. Refuses an invalid policy or one whose own tests fail.
   */
  trustReviewed(by: string, reviewed: string): LoadedPolicy {
    let read: PolicyFileRead;
    try {
      read = readPolicyFile(this.policyPath);
    } catch (err) {
      const reason = `not trusted: ${(err as Error).message}`;
      this.events.trustRefused(by, reason, { reviewed, current: null });
      throw new EngineError(reason, err instanceof PolicyFileRefused && err.code === 'missing' ? 'bad_request' : 'conflict');
    }
    if (read.sha256 !== reviewed.toLowerCase()) {
      const reason = `not trusted: the policy file now hashes to sha256 ${read.sha256}, not ${reviewed} (the text you reviewed); review it again`;
      this.events.trustRefused(by, reason, { reviewed, current: read.sha256 });
      throw new EngineError(reason, 'conflict', { reviewed, current: read.sha256 });
    }
    const verdict = this.signatures?.verify(read.text, this.policyPath);
    if (verdict && !('key_id' in verdict)) {
      const reason = `not trusted: policy.trusted_keys is set, and ${verdict.refused}`;
      this.events.trustRefused(by, reason, { reviewed, current: read.sha256 });
      throw new EngineError(reason, 'conflict', { reviewed, current: read.sha256 });
    }
    return this.trustText(read.text, by, 'operator');
  }

  /** Writes new policy text through gatehouse (allow always): trusted as written. */
  writeTrusted(text: string, by: string): LoadedPolicy {
    if (this.signatures) throw new EngineError('the policy is managed by signature (policy.trusted_keys): a change made here would be unsigned and put the firewall in lockdown; add it to the signed policy and roll that out (gatehouse policy sign), or answer once', 'conflict');
    const loaded = this.trustText(text, by, 'gatehouse_edit', false);
    writePrivateFileAtomic(this.policyPath, text);
    return loaded;
  }

  private trustText(text: string, by: string, how: TrustHow, clearLockdown = true): LoadedPolicy {
    let loaded: LoadedPolicy;
    try {
      loaded = parsePolicyText(text, this.policyPath);
    } catch (err) {
      if (err instanceof PolicyError) {
        if (how === 'first_start') {
          this.enterLockdown(`the policy found at first start is invalid: ${err.message}`, `invalid:${sha256(text)}`);
          throw new EngineError(`the policy is invalid; the firewall is in lockdown:\n${err.message}`, 'bad_request');
        }
        throw new EngineError(`the policy is invalid:\n${err.message}`, 'bad_request');
      }
      throw err;
    }
    const failures = runPolicyTests(loaded.policy).filter((r) => !r.ok);
    if (failures.length) {
      const msg = failures.map((f) => describeMismatch(f)).join('\n');
      if (how === 'operator' || how === 'gatehouse_edit' || how === 'signed') throw new EngineError(`the policy's own tests fail:\n${msg}`, 'bad_request');
      this.events.warn(`the policy's own tests fail:\n${msg}`);
    }
    const record: TrustedPolicy = { sha256: loaded.sha256, text, trusted_at: new Date().toISOString(), by };
    writePrivateFileAtomic(this.trustedPath, JSON.stringify(record));
    this.loaded = loaded;
    if (clearLockdown || how !== 'gatehouse_edit') this.liftLockdown();
    this.events.trusted(loaded.sha256, by, how);
    return loaded;
  }

  private adopt(trusted: TrustedPolicy): void {
    try {
      this.loaded = parsePolicyText(trusted.text, this.policyPath);
    } catch (err) {
      this.enterLockdown(`the trusted policy no longer loads: ${(err as Error).message}`, 'trusted-invalid');
    }
  }

  private readTrusted(): TrustedPolicy | null {
    try {
      refuseSymlink(this.trustedPath);
      const t = JSON.parse(readFileSync(this.trustedPath, 'utf8')) as TrustedPolicy;
      return typeof t.sha256 === 'string' && typeof t.text === 'string' && sha256(t.text) === t.sha256 ? t : null;
    } catch {
      return null;
    }
  }

  private readMarker(): LockdownMarker | null {
    if (!this.markerPath) return null;
    return readLockdownMarker(this.markerPath);
  }

  private writeMarker(m: LockdownMarker): void {
    if (!this.markerPath) return;
    try {
      writePrivateFileAtomic(this.markerPath, JSON.stringify(m));
    } catch {
      // The in-memory lockdown holds regardless; offline clients also deny on a changed file.
    }
  }
}

/** The lockdown marker, or null when there is none. A marker that exists but cannot be read counts as lockdown. */
export function readLockdownMarker(path: string): LockdownMarker | null {
  if (!existsSync(path) && !isLink(path)) return null;
  try {
    refuseSymlink(path);
    const m = JSON.parse(readFileSync(path, 'utf8')) as LockdownMarker;
    return typeof m.reason === 'string' ? m : { reason: 'an unreadable lockdown marker', since: '', key: 'marker' };
  } catch {
    return { reason: 'an unreadable lockdown marker', since: '', key: 'marker' };
  }
}

function isLink(path: string): boolean {
  try {
    refuseSymlink(path);
    return false;
  } catch {
    return true;
  }
}

function refusalKey(err: unknown): string {
  return err instanceof PolicyFileRefused ? `refused:${err.code}` : 'refused';
}
