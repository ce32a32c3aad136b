import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failures with their message and stack trace moved into a payload (`encodedAttributes`),
 * which the payload codec then encrypts like any other: a failure's words (a role, a path,
 * whatever a library put in its error) stay out of history in plaintext. History shows
 * "Encoded failure"; clients and the codec server decode it.
 *
 * Loaded by path (Temporal's `failureConverterPath`) in the workflow bundle, the workers and
 * the clients alike. Kept free of TypeScript-only syntax, so plain Node can load this source
 * file where no TypeScript loader is registered (the test runner's workers).
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
