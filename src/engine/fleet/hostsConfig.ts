// The `fleet` config section (docs/fleet.md): the named engines the operator commands reach when no
// `--host` is given. Read by the CLI, not the engine: a host that is down is the CLI's business.
import { z } from 'zod';
import { parseHostUrl } from '../../shared/hostUrl.js';

/** A host's name: what the console's host column and `/host:NAME` show, and what `--host NAME` picks. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export const FleetHostSchema = z
  .object({
    name: z.string().regex(HOST_NAME, 'a host name is 1-32 letters, digits, dots, dashes or underscores, starting with a letter or digit'),
    url: z.string().superRefine((url, ctx) => {
      try {
        parseHostUrl(url);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^host /, '') });
      }
    }),
  })
  .strict();

export const FleetConfigSchema = z
  .object({
    hosts: z
      .array(FleetHostSchema)
      .max(64)
      .default([])
      .superRefine((hosts, ctx) => {
        const seen = new Map<string, number>();
        hosts.forEach((h, i) => {
          const before = seen.get(h.name);
          if (before !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `'${h.name}' is already the name of hosts[${before}]: names must differ` });
          else seen.set(h.name, i);
          const sameUrl = hosts.findIndex((o) => o.url.trim() === h.url.trim());
          if (sameUrl < i) ctx.addIssue({ code: 'custom', path: [i, 'url'], message: `${h.url} is already hosts[${sameUrl}] (${hosts[sameUrl]!.name})` });
        });
      }),
  })
  .strict()
  .prefault({});

export type FleetHostConfig = z.output<typeof FleetHostSchema>;
