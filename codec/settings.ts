/** The encryption part of Tandem's settings, read with the rest by workers/config.ts. */
import { z } from 'zod';
import { KEY_FORMAT, KeyId, keyBytes, parseOldKeys } from './keys';

/** Payload encryption (see codec/): on unless turned off on purpose; the worker refuses to run without a key. */
export const EncryptionSettings = z.object({
  mode: z.enum(['on', 'off']).default('on'),
  key: z
    .string()
    .refine((t) => keyBytes(t) !== undefined, `expected ${KEY_FORMAT}`)
    .optional(),
  /** Default: the key's fingerprint. */
  keyId: KeyId.optional(),
  /** Keys that still decrypt: `key` or `id:key` entries, by commas or lines. */
  oldKeys: z
    .string()
    .superRefine((t, ctx) => {
      try {
        parseOldKeys(t);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
});
export type EncryptionConfig = z.infer<typeof EncryptionSettings>;
