/** WebSocket close codes of the protocol (docs/worker-protocol.md, "Close codes"). */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
  replaced: 4000,
  revoked: 4001,
} as const;
