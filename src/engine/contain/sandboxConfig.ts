// The `sandbox:` section of the config (docs/configuration.md; the policy's `sandbox:` section says what a
// sandbox may do, this one how the engine prepares them): how many warm network namespaces it keeps.
import { z } from 'zod';

export const SandboxConfigSchema = z
  .object({
    /** Spare network namespaces kept ready for sandboxed runs with network (root only); 0 turns the pool off. */
    warm_network: z.number().int().min(0).max(16).default(1),
  })
  .strict()
  .prefault({});

export type SandboxConfig = z.output<typeof SandboxConfigSchema>;
