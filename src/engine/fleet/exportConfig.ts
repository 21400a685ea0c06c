// The `export` config section (docs/configuration.md): where ledger records and alerts are streamed.
import { isAbsolute } from 'node:path';
import { z } from 'zod';

export const FACILITIES = ['user', 'daemon', 'auth', 'authpriv', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

/** RFC 5612's enterprise number for documentation: a placeholder until the operator names their own. */
export const DOCUMENTATION_PEN = 32473;

const absolutePath = (key: string) => z.string().min(1).refine((p) => isAbsolute(p), `${key} must be an absolute path`);

/** RFC 5425 TLS: the collector's certificate is always verified (there is no switch to turn that off). */
export const SyslogTlsSchema = z
  .object({
    /** PEM CA bundle that signs the collector's certificate; absent = Node's built-in public roots. */
    ca_file: absolutePath('ca_file').optional(),
    /** PEM client certificate and key, for collectors that authenticate their senders (both or neither). */
    cert_file: absolutePath('cert_file').optional(),
    key_file: absolutePath('key_file').optional(),
    /** The name the collector's certificate must carry (and SNI); default the URL's host. */
    server_name: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a DNS name such as siem.internal').optional(),
  })
  .strict()
  .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), { message: 'cert_file and key_file go together: give both or neither', path: ['cert_file'] });

export const SyslogExportSchema = z
  .object({
    /** tcp://host:port (RFC 6587 octet counting) or tls://host:port (RFC 5425, the same framing inside TLS). */
    url: z
      .string()
      .regex(/^(tcp|tls):\/\/[A-Za-z0-9.-]+:\d{1,5}$|^(tcp|tls):\/\/\[[0-9A-Fa-f:]+\]:\d{1,5}$/, 'use tcp://host:port or tls://host:port')
      .refine((u) => {
        const port = Number(u.slice(u.lastIndexOf(':') + 1));
        return port >= 1 && port <= 65535;
      }, 'the port must be 1-65535'),
    facility: z.enum(FACILITIES).default('local0'),
    /**
     * The private enterprise number in the SD-IDs (`ledger@N`, `detail@N`, RFC 5424 §7.2.2). The default
     * 32473 is the documentation number (RFC 5612): gatehouse has no registered PEN, so an operator with
     * one of their own (or a SIEM parser keyed on another) sets it here.
     */
    enterprise_id: z.number().int().min(1).max(4_294_967_295).default(DOCUMENTATION_PEN),
    tls: SyslogTlsSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.tls && c.url.startsWith('tcp://')) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls options need a tls:// url (tcp:// is plain TCP)' });
  });

export const ExportConfigSchema = z
  .object({
    syslog: SyslogExportSchema.optional(),
  })
  .strict()
  .prefault({});

export type SyslogExportConfig = z.output<typeof SyslogExportSchema>;
