// The `export` config section (docs/configuration.md): where ledger records and alerts are streamed.
import { z } from 'zod';

export const FACILITIES = ['user', 'daemon', 'auth', 'authpriv', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

export const SyslogExportSchema = z
  .object({
    /** tcp://host:port (RFC 6587 octet-counted framing). TLS (RFC 5425) is still to come. */
    url: z
      .string()
      .regex(/^tcp:\/\/[A-Za-z0-9.-]+:\d{1,5}$|^tcp:\/\/\[[0-9A-Fa-f:]+\]:\d{1,5}$/, 'use tcp://host:port (tls:// is not supported yet)')
      .refine((u) => {
        const port = Number(u.slice(u.lastIndexOf(':') + 1));
        return port >= 1 && port <= 65535;
      }, 'the port must be 1-65535'),
    facility: z.enum(FACILITIES).default('local0'),
  })
  .strict();

export const ExportConfigSchema = z
  .object({
    syslog: SyslogExportSchema.optional(),
  })
  .strict()
  .prefault({});

export type SyslogExportConfig = z.output<typeof SyslogExportSchema>;
