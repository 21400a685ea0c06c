// Tamper protection (law 8): the policy in force is the text the operator trusted (policy.trusted).
// An edit made outside gatehouse is detected (watch + hash, with a periodic re-check behind the watch)
// and puts the firewall in lockdown until the operator reviews the diff and trusts it. Edits made
// through gatehouse are written atomically, 0600, and trusted as written.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { DEFAULT_POLICY_TEXT, parsePolicyText, PolicyError, runPolicyTests, describeMismatch, sha256, type LoadedPolicy } from './index.js';
import { EngineError } from '../../shared/errors.js';
import { unifiedDiff } from '../platform/textDiff.js';
import { refuseSymlink, writePrivateFileAtomic } from '../store/stateDir.js';

export interface TrustedPolicy {
  sha256: string;
  text: string;
  trusted_at: string;
  by: string;
}

export interface GuardEvents {
  lockdown(reason: string): void;
  trusted(hash: string, by: string, how: 'first_start' | 'created_default' | 'operator' | 'gatehouse_edit'): void;
  warn(message: string): void;
}

const RECHECK_MS = 2_000;

export class PolicyGuard {
  private loaded: LoadedPolicy | null = null;
  private lockdownReason: string | null = null;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;

  constructor(
    public policyPath: string,
    private readonly trustedPath: string,
    private readonly events: GuardEvents,
  ) {}

  /** Creates the default policy on the very first start, trusts an existing one found at first start, or checks it against the trusted copy. */
  start(): void {
    refuseSymlink(this.policyPath);
    const trusted = this.readTrusted();
    if (!existsSync(this.policyPath)) {
      if (trusted) {
        this.enterLockdown(`the policy file ${this.policyPath} is missing`);
      } else {
        mkdirSync(dirname(this.policyPath), { recursive: true, mode: 0o700 });
        writePrivateFileAtomic(this.policyPath, DEFAULT_POLICY_TEXT);
        this.trustText(DEFAULT_POLICY_TEXT, 'gatehouse', 'created_default');
      }
    } else if (!trusted) {
      this.trustText(readFileSync(this.policyPath, 'utf8'), 'gatehouse', 'first_start');
    } else {
      this.adopt(trusted);
      this.check();
    }
    this.watcher = watch(this.policyPath, { ignoreInitial: true, awaitWriteFinish: false, persistent: true, atomic: true });
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

  private scheduleCheck(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.check(), 100);
  }

  /** Compares the file with the trusted hash; a difference (or a missing file) is lockdown. */
  check(): void {
    let current: string | null = null;
    try {
      refuseSymlink(this.policyPath);
      current = readFileSync(this.policyPath, 'utf8');
    } catch (err) {
      this.enterLockdown(`the policy file cannot be read: ${(err as Error).message}`);
      return;
    }
    const trusted = this.readTrusted();
    if (!trusted) {
      this.enterLockdown('the trusted copy of the policy is missing');
      return;
    }
    if (sha256(current) !== trusted.sha256) this.enterLockdown(`${this.policyPath} was changed outside gatehouse (sha256 ${sha256(current).slice(0, 12)}… is not the trusted ${trusted.sha256.slice(0, 12)}…)`);
  }

  private enterLockdown(reason: string): void {
    if (this.lockdownReason) return;
    this.lockdownReason = reason;
    this.events.lockdown(reason);
  }

  diff(): { diff: string; trusted_hash: string | null; current_hash: string | null } {
    const trusted = this.readTrusted();
    const current = existsSync(this.policyPath) ? readFileSync(this.policyPath, 'utf8') : null;
    return {
      diff: unifiedDiff(trusted?.text ?? '', current ?? '', `trusted ${trusted?.trusted_at ?? '(none)'}`, current === null ? '(file missing)' : this.policyPath),
      trusted_hash: trusted?.sha256 ?? null,
      current_hash: current === null ? null : sha256(current),
    };
  }

  /** The operator trusts the policy file as it is now. Refuses an invalid policy or one whose own tests fail. */
  trustCurrent(by: string): LoadedPolicy {
    if (!existsSync(this.policyPath)) throw new EngineError(`no policy file at ${this.policyPath}`, 'bad_request');
    return this.trustText(readFileSync(this.policyPath, 'utf8'), by, 'operator');
  }

  /** Writes new policy text through gatehouse (allow always): trusted as written. */
  writeTrusted(text: string, by: string): LoadedPolicy {
    const loaded = this.trustText(text, by, 'gatehouse_edit', false);
    writePrivateFileAtomic(this.policyPath, text);
    return loaded;
  }

  private trustText(text: string, by: string, how: 'first_start' | 'created_default' | 'operator' | 'gatehouse_edit', clearLockdown = true): LoadedPolicy {
    let loaded: LoadedPolicy;
    try {
      loaded = parsePolicyText(text, this.policyPath);
    } catch (err) {
      if (err instanceof PolicyError) {
        if (how === 'first_start') {
          this.enterLockdown(`the policy found at first start is invalid: ${err.message}`);
          throw new EngineError(`the policy is invalid; the firewall is in lockdown:\n${err.message}`, 'bad_request');
        }
        throw new EngineError(`the policy is invalid:\n${err.message}`, 'bad_request');
      }
      throw err;
    }
    const failures = runPolicyTests(loaded.policy).filter((r) => !r.ok);
    if (failures.length) {
      const msg = failures.map((f) => describeMismatch(f)).join('\n');
      if (how === 'operator' || how === 'gatehouse_edit') throw new EngineError(`the policy's own tests fail:\n${msg}`, 'bad_request');
      this.events.warn(`the policy's own tests fail:\n${msg}`);
    }
    const record: TrustedPolicy = { sha256: loaded.sha256, text, trusted_at: new Date().toISOString(), by };
    writePrivateFileAtomic(this.trustedPath, JSON.stringify(record));
    this.loaded = loaded;
    if (clearLockdown || how !== 'gatehouse_edit') this.lockdownReason = null;
    this.events.trusted(loaded.sha256, by, how);
    return loaded;
  }

  private adopt(trusted: TrustedPolicy): void {
    try {
      this.loaded = parsePolicyText(trusted.text, this.policyPath);
    } catch (err) {
      this.enterLockdown(`the trusted policy no longer loads: ${(err as Error).message}`);
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
}
