// Content hashes used for strong ETags and change detection.
import { createHash } from 'node:crypto'

/** A strong entity tag (RFC 9110 §8.8.3) derived only from the bytes, so equal bytes give equal tags. */
export const strongEtag = (bytes: Uint8Array | string): string =>
  `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`
