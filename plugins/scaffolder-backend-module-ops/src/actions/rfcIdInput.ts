import type { z as zod } from 'zod/v3';

/** The `rfcId` input shared by the actions that act on an existing RFC. */
export const rfcIdInput = (description: string) => (z: typeof zod) =>
  z
    .string()
    .regex(/^RFC-\d{6,}$/, 'must be an RFC id such as RFC-000123')
    .describe(description);
