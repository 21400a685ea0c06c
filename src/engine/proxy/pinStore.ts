// Tool definitions pinned on first sight, so a server that later changes a tool's description or
// input schema (a "rug pull") is noticed. The file holds hashes and the pinned text, 0600, written
// atomically; a corrupt file is an error, never an empty store (that would re-pin silently).
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface ToolPin {
  hash: string;
  description: string;
  /** The input schema as JSON text (for showing what changed). */
  input_schema: string;
  pinned_at: string;
}

export interface PinStore {
  get(server: string, tool: string): ToolPin | undefined;
  /** Pin several tools of one server at once (one write). */
  put(server: string, pins: Record<string, ToolPin>): void;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  inputSchema?: unknown;
}

/** Stable JSON: object keys sorted, so a server reordering keys is not a change. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function pinFor(tool: ToolDefinition, now = new Date()): ToolPin {
  const description = tool.description ?? '';
  const input_schema = canonicalJson(tool.inputSchema ?? null);
  const hash = createHash('sha256').update(`${description}\u0000${input_schema}`).digest('hex');
  return { hash, description, input_schema, pinned_at: now.toISOString() };
}

export class MemoryPinStore implements PinStore {
  private readonly pins = new Map<string, ToolPin>();
  get(server: string, tool: string): ToolPin | undefined {
    return this.pins.get(`${server}\u0000${tool}`);
  }
  put(server: string, pins: Record<string, ToolPin>): void {
    for (const [tool, pin] of Object.entries(pins)) this.pins.set(`${server}\u0000${tool}`, pin);
  }
}

const PinFileSchema = z.object({
  version: z.literal(1),
  servers: z.record(
    z.string(),
    z.record(z.string(), z.object({ hash: z.string(), description: z.string(), input_schema: z.string(), pinned_at: z.string() })),
  ),
});
type PinFile = z.infer<typeof PinFileSchema>;

export class JsonFilePinStore implements PinStore {
  private data: PinFile;

  constructor(private readonly file: string) {
    this.data = JsonFilePinStore.load(file);
  }

  private static load(file: string): PinFile {
    let text: string;
    try {
      const st = lstatSync(file);
      if (st.isSymbolicLink()) throw new Error(`pin file ${file} is a symbolic link; refusing to use it`);
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, servers: {} };
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`pin file ${file} is not valid JSON (${(e as Error).message}); fix or remove it to re-pin every tool`);
    }
    const r = PinFileSchema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`pin file ${file} is invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`);
    }
    return r.data;
  }

  get(server: string, tool: string): ToolPin | undefined {
    return this.data.servers[server]?.[tool];
  }

  put(server: string, pins: Record<string, ToolPin>): void {
    // Re-read first: another proxy (another server of the same host) may have pinned meanwhile.
    this.data = JsonFilePinStore.load(this.file);
    Object.assign((this.data.servers[server] ??= {}), pins);
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(tmp, 0o600);
      renameSync(tmp, this.file);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      throw e;
    }
  }
}
