const TONES: Record<string, string> = {
  critical: "bg-bad/15 text-bad",
  warning: "bg-warn/15 text-warn",
  info: "bg-accent/15 text-accent",
  active: "bg-bad/15 text-bad",
  acknowledged: "bg-warn/15 text-warn",
  resolved: "bg-ok/15 text-ok",
  succeeded: "bg-ok/15 text-ok",
  failed: "bg-bad/15 text-bad",
  pending: "bg-warn/15 text-warn",
  online: "bg-ok/15 text-ok",
  offline: "bg-bad/15 text-bad",
  draining: "bg-warn/15 text-warn",
  disabled: "bg-bad/15 text-bad",
};

/** A small coloured label for a severity or status word. */
export function Pill({ value, label }: { value: string; label?: string }) {
  return <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${TONES[value] ?? "bg-panel-2 text-muted"}`}>{label ?? value}</span>;
}
