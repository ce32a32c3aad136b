/**
 * Temporal or the store does not answer. One class for both, so every front end tells
 * "the platform is down" apart from "the operation failed" and can say how to bring it up.
 */
export class PlatformUnavailableError extends Error {}
