/** Per-connection timing and bounds (docs/worker-protocol.md "Keep-alive"); tests shorten them. */
export interface ConnectionOptions {
  pingIntervalMs: number;
  idleTimeoutMs: number;
  writeTimeoutMs: number;
  /** Frames handed to the socket but not yet written. */
  maxOutboundFrames: number;
  /** Bytes buffered in the socket but not yet written. */
  maxOutboundBytes: number;
  /** Frames received but not yet processed; beyond it the socket stops reading. */
  maxInboundFrames: number;
  badSignatureLimit: number;
  badSignatureWindowMs: number;
}

export const DEFAULT_CONNECTION_OPTIONS: ConnectionOptions = {
  pingIntervalMs: 72_000,
  idleTimeoutMs: 90_000,
  writeTimeoutMs: 10_000,
  maxOutboundFrames: 256,
  maxOutboundBytes: 4 * 1024 * 1024,
  maxInboundFrames: 64,
  badSignatureLimit: 10,
  badSignatureWindowMs: 60_000,
};
