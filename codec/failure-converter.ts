/**
 * Failure messages and stack traces go through the payload codec too (by default Temporal stores
 * them in clear, and an API's error can quote a record's name or e-mail). Loaded by path, inside the
 * workflow sandbox as well, so it imports nothing but @temporalio/common.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
