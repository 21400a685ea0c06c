// What the proxy knows about the server's tools, learned from tools/list results as they pass:
// annotations for the firewall rules, whether a tool declares an output schema, and whether its
// definition still matches the pin taken the first time it was seen.
import { z } from 'zod';
import type { AlertInput } from '../../shared/alert.js';
import type { ToolCall } from '../../shared/firewall.js';
import { pinFor, type PinStore, type ToolPin } from './pinStore.js';

export interface ToolInfo {
  annotations?: ToolCall['annotations'];
  hasOutputSchema: boolean;
  /** Set when the definition differs from its pin: calls to it are escalated to the operator. */
  changedFrom?: ToolPin;
}

const AnnotationsSchema = z
  .object({
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .loose();

const ToolSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    inputSchema: z.unknown().optional(),
    outputSchema: z.unknown().optional(),
    annotations: AnnotationsSchema.optional(),
  })
  .loose();

const ListResultSchema = z.object({ tools: z.array(z.unknown()) }).loose();

export class ToolRegistry {
  private readonly tools = new Map<string, ToolInfo>();
  /** Tools already alerted on in this session: one alert per change, not one per tools/list. */
  private readonly alerted = new Set<string>();

  constructor(
    private readonly server: string,
    private readonly pins?: PinStore,
  ) {}

  get(name: string): ToolInfo | undefined {
    return this.tools.get(name);
  }

  /** Learn from a tools/list result; returns the alerts to raise (rug pulls, pin store failures). */
  observeList(result: unknown): AlertInput[] {
    const list = ListResultSchema.safeParse(result);
    if (!list.success) return [];
    const alerts: AlertInput[] = [];
    const fresh: Record<string, ToolPin> = {};
    for (const item of list.data.tools) {
      const t = ToolSchema.safeParse(item);
      if (!t.success) continue;
      const { name, annotations, outputSchema } = t.data;
      const info: ToolInfo = { hasOutputSchema: outputSchema !== undefined };
      if (annotations) {
        const { readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = annotations;
        info.annotations = { readOnlyHint, destructiveHint, idempotentHint, openWorldHint };
      }
      if (this.pins) {
        const pin = pinFor(t.data);
        let old: ToolPin | undefined;
        try {
          old = this.pins.get(this.server, name);
        } catch (e) {
          alerts.push(this.pinFailure(e));
          info.changedFrom = { hash: 'unreadable', description: '', input_schema: '', pinned_at: '' };
          this.tools.set(name, info);
          continue;
        }
        if (!old) fresh[name] = pin;
        else if (old.hash !== pin.hash) {
          info.changedFrom = old;
          if (!this.alerted.has(name)) {
            this.alerted.add(name);
            alerts.push(this.changeAlert(name, old, pin));
          }
        }
      }
      this.tools.set(name, info);
    }
    if (this.pins && Object.keys(fresh).length > 0) {
      try {
        this.pins.put(this.server, fresh);
      } catch (e) {
        alerts.push(this.pinFailure(e));
      }
    }
    return alerts;
  }

  /** The tools/list result without the hidden tools, or undefined when nothing was hidden. */
  filterList(result: unknown, hide: (name: string, annotations?: ToolCall['annotations']) => boolean): Record<string, unknown> | undefined {
    const list = ListResultSchema.safeParse(result);
    if (!list.success) return undefined;
    const kept = list.data.tools.filter((t) => {
      const name = (t as { name?: unknown } | null)?.name;
      return typeof name !== 'string' || !hide(name, this.tools.get(name)?.annotations);
    });
    if (kept.length === list.data.tools.length) return undefined;
    return { ...(result as Record<string, unknown>), tools: kept };
  }

  private changeAlert(name: string, old: ToolPin, now: ToolPin): AlertInput {
    const changed = [old.description !== now.description ? 'description' : null, old.input_schema !== now.input_schema ? 'input schema' : null]
      .filter(Boolean)
      .join(' and ');
    return {
      severity: 'P1',
      source: 'mcp',
      check: 'tool_changed',
      message: `MCP server "${this.server}" changed the ${changed} of tool "${name}" since it was pinned on ${old.pinned_at}; calls to it now need the operator`,
      evidence: {
        server: this.server,
        tool: name,
        pinned_hash: old.hash,
        current_hash: now.hash,
        pinned_description: old.description.slice(0, 500),
        current_description: now.description.slice(0, 500),
      },
    };
  }

  private pinFailure(e: unknown): AlertInput {
    return {
      severity: 'P1',
      source: 'mcp',
      check: 'tool_pins_unavailable',
      message: `tool pins for MCP server "${this.server}" cannot be used: ${(e as Error).message}`,
      evidence: { server: this.server },
    };
  }
}
