const TONES: Record<string, string> = {
  running: "bg-ok/15 text-ok border-ok/40",
  succeeded: "bg-ok/15 text-ok border-ok/40",
  verified: "bg-ok/15 text-ok border-ok/40",
  completed: "bg-ok/15 text-ok border-ok/40",
  deploying: "bg-accent/15 text-accent border-accent/40",
  building: "bg-accent/15 text-accent border-accent/40",
  processing: "bg-accent/15 text-accent border-accent/40",
  assigned: "bg-accent/15 text-accent border-accent/40",
  pending: "bg-warn/15 text-warn border-warn/40",
  stopped: "bg-panel-2 text-muted border-line",
  cancelled: "bg-panel-2 text-muted border-line",
  deleted: "bg-panel-2 text-muted border-line",
  crashed: "bg-bad/15 text-bad border-bad/40",
  failed: "bg-bad/15 text-bad border-bad/40",
  violated: "bg-bad/15 text-bad border-bad/40",
};

/** A status word in its colour; the word itself carries the meaning (not colour alone). */
export function StatusBadge({ status }: { status: string }) {
  const tone = TONES[status] ?? "bg-panel-2 text-muted border-line";
  return (
    <span data-status={status} className={`inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium ${tone}`}>
      {status}
    </span>
  );
}
